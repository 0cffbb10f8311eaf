// The database schema as Kysely sees it: the union of every aggregate's tables (each defined beside its
// repository, in kysely/<aggregate>/table.ts).
import type { AccessKeysTable } from './access-keys/table.js';
import type { ApplicationsTable } from './applications/table.js';
import type { AreasTable } from './areas/table.js';
import type { AuditEventsTable } from './audit-events/table.js';
import type { ConsentsTable } from './consents/table.js';
import type { DeviceAuthorizationsTable } from './device-authorizations/table.js';
import type { DpopProofsTable } from './dpop-proofs/table.js';
import type {
  FederatedIdentitiesTable,
  FederationRequestsTable,
  IdentityProviderDomainsTable,
  IdentityProvidersTable,
  SamlAssertionsTable,
} from './identity-providers/table.js';
import type { MailTemplatesTable } from './mail-templates/table.js';
import type { PasskeyChallengesTable, PasskeysTable } from './passkeys/table.js';
import type {
  EmailVerificationsTable,
  InvitationsTable,
  MailOutboxTable,
  PasswordResetsTable,
} from './people/table.js';
import type { RevisionTable } from './revision/table.js';
import type { RevocationEventsTable, RevocationFeedTable } from './revocations/table.js';
import type {
  ScimGroupMembersTable,
  ScimGroupsTable,
  ScimTokensTable,
  ScimUserEmailsTable,
  ScimUsersTable,
} from './scim/table.js';
import type { RefreshTokensTable, SessionsTable } from './sessions/table.js';
import type { SettingsTable } from './settings/table.js';
import type {
  AuthorizationCodesTable,
  SignInSessionsTable,
  SignInsTable,
  UserCredentialsTable,
} from './sign-in/table.js';
import type { SigningKeysTable } from './signing-keys/table.js';
import type { TenantsTable } from './tenants/table.js';
import type { ThrottleTable } from './throttle/table.js';
import type { UsersTable } from './users/table.js';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookSubscriptionsTable,
} from './webhooks/table.js';

export interface Database {
  areas: AreasTable;
  tenants: TenantsTable;
  users: UsersTable;
  applications: ApplicationsTable;
  access_keys: AccessKeysTable;
  signing_keys: SigningKeysTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  revision: RevisionTable;
  throttle: ThrottleTable;
  audit_events: AuditEventsTable;
  user_credentials: UserCredentialsTable;
  sign_ins: SignInsTable;
  sign_in_sessions: SignInSessionsTable;
  authorization_codes: AuthorizationCodesTable;
  revocation_events: RevocationEventsTable;
  revocation_feed: RevocationFeedTable;
  consents: ConsentsTable;
  settings: SettingsTable;
  device_authorizations: DeviceAuthorizationsTable;
  identity_providers: IdentityProvidersTable;
  identity_provider_domains: IdentityProviderDomainsTable;
  federated_identities: FederatedIdentitiesTable;
  federation_requests: FederationRequestsTable;
  saml_assertions: SamlAssertionsTable;
  dpop_proofs: DpopProofsTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  scim_user_emails: ScimUserEmailsTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  mail_outbox: MailOutboxTable;
  password_resets: PasswordResetsTable;
  invitations: InvitationsTable;
  mail_templates: MailTemplatesTable;
  email_verifications: EmailVerificationsTable;
}
