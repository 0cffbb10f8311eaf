// The storage contract: everything the service and the admin commands need from a database, in domain
// types, one file per aggregate. One implementation (storage/kysely/) serves SQLite and PostgreSQL;
// tests may pass another.
import type { AccessKeyRepository } from './access-keys.js';
import type { ActivityRepository } from './activity.js';
import type { ApplicationRepository } from './applications.js';
import type { AreaRepository } from './areas.js';
import type { AuditEventRepository } from './audit-events.js';
import type { ConsentRepository } from './consents.js';
import type { DeviceAuthorizationRepository } from './device-authorizations.js';
import type { DpopProofRepository } from './dpop-proofs.js';
import type { IdentityProviderRepository } from './identity-providers.js';
import type { MailTemplateRepository } from './mail-templates.js';
import type { PasskeyRepository } from './passkeys.js';
import type { PeopleRepository } from './people.js';
import type { PurgeRepository } from './purge.js';
import type { RevocationRepository } from './revocations.js';
import type { ScimRepository } from './scim.js';
import type { SessionRepository } from './sessions.js';
import type { SettingsRepository } from './settings.js';
import type { SignInRepository } from './sign-in.js';
import type { SigningKeyRepository } from './signing-keys.js';
import type { TenantRepository } from './tenants.js';
import type { ThrottleRepository } from './throttle.js';
import type { UserRepository } from './users.js';
import type { WebhookRepository } from './webhooks.js';

export type { AccessKeyOwner, AccessKeyRepository } from './access-keys.js';
export type { ActivityBucket, ActivityQuery, ActivityRepository } from './activity.js';
export type { ApplicationRepository } from './applications.js';
export type { AreaRepository } from './areas.js';
export type { AuditDetail, AuditEvent, AuditEventFilter, AuditEventRepository } from './audit-events.js';
export type { ConsentRepository } from './consents.js';
export type { DeviceAuthorizationRepository, DevicePoll } from './device-authorizations.js';
export type { DpopProofRepository } from './dpop-proofs.js';
export type { IdentityProviderRepository } from './identity-providers.js';
export type { MailTemplateRepository, StoredMailTemplate } from './mail-templates.js';
export type { PasskeyRepository } from './passkeys.js';
export type {
  EmailVerification,
  Invitation,
  MailState,
  OutboxMail,
  PasswordReset,
  PeopleRepository,
} from './people.js';
export type { PurgeRepository } from './purge.js';
export type {
  RevocationEvent,
  RevocationHead,
  RevocationKind,
  RevocationRepository,
} from './revocations.js';
export type {
  ScimGroup,
  ScimRepository,
  ScimToken,
  ScimUser,
  ScimUserLink,
  ScimUserQuery,
} from './scim.js';
export type { RotationResult, SessionFilter, SessionRepository } from './sessions.js';
export type { SettingName, SettingsRepository } from './settings.js';
export type { CodeClaim, SignInRepository } from './sign-in.js';
export type { SigningKeyRepository } from './signing-keys.js';
export type { TenantRepository } from './tenants.js';
export type { ThrottleCounter, ThrottleRepository } from './throttle.js';
export type { ImportedUser, UserRepository } from './users.js';
export type {
  AttemptOutcome,
  DeliveryState,
  WebhookAttempt,
  WebhookDelivery,
  WebhookQueue,
  WebhookRepository,
  WebhookSubscription,
  WebhookSubscriptionPatch,
} from './webhooks.js';

/** A connection pool at one moment: connections open, idle among them, and callers waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface Storage {
  readonly dialect: 'sqlite' | 'postgres';
  readonly areas: AreaRepository;
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly applications: ApplicationRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly sessions: SessionRepository;
  readonly throttle: ThrottleRepository;
  readonly auditEvents: AuditEventRepository;
  /** Counts per time bucket for the admin API's statistics (read-only). */
  readonly activity: ActivityRepository;
  readonly purge: PurgeRepository;
  readonly signIn: SignInRepository;
  /** What users allowed third-party applications (the consent page's remembered answers). */
  readonly consents: ConsentRepository;
  /** Every ended session and deactivated subject, for the revocation feed (docs/revocation.md). */
  readonly revocations: RevocationRepository;
  /** Facts of the installation written once by the first node (the issuer it served). */
  readonly settings: SettingsRepository;
  /** Pending and answered device authorization requests (RFC 8628, docs/endpoints.md). */
  readonly deviceAuthorizations: DeviceAuthorizationRepository;
  /** Accepted DPoP proofs at the token endpoint (RFC 9449 §11.1). */
  readonly dpopProofs: DpopProofRepository;
  /** Users' passkeys (WebAuthn credentials) and the spent ceremony challenges (docs/sign-in.md). */
  readonly passkeys: PasskeyRepository;
  /** SCIM provisioning: tokens, users' SCIM attributes, groups (docs/scim.md). */
  readonly scim: ScimRepository;
  /** Tenants' identity providers, linked upstream subjects, pending federated sign-ins (docs/sso.md). */
  readonly identityProviders: IdentityProviderRepository;
  /** Webhook subscriptions, the outbox of deliveries and their attempts (docs/webhooks.md). */
  readonly webhooks: WebhookRepository;
  /** The mail outbox and the mailed links: resets, invitations, e-mail verifications (docs/people.md). */
  readonly people: PeopleRepository;
  /** Tenants' own mail templates (docs/people.md, "Templates"). */
  readonly mailTemplates: MailTemplateRepository;
  /**
   * A number that grows whenever a tenant, user, application or access key is created or changed, in
   * the same transaction as the change; token grants leave it alone. A cache entry read at revision
   * `r` is current while `revision()` still returns `r` (see docs/storage.md, "The revision").
   */
  revision(): Promise<number>;
  /**
   * Runs `work` as one transaction: every write it makes through this storage (its audit event and the
   * webhook deliveries of it included) commits together, or none does. Nested calls join the outer one
   * (a signing keys' change too: its lock is then held until the outer one ends). On SQLite it takes the
   * write lock first, waiting for it `patienceMs` (default: the driver's lock timeout only).
   */
  atomically<T>(work: () => Promise<T>, options?: { readonly patienceMs?: number }): Promise<T>;
  /**
   * Runs `fn` once the transaction of the caller's `atomically` has committed, outside it (never when
   * it rolls back); at once when the caller is in none. For what must not see, or act on, a change
   * before it is durable: waking a worker that reads it from another connection.
   */
  afterCommit(fn: () => void): void;
  /** Brings the schema up to date; safe when several nodes call it at once. */
  migrate(): Promise<void>;
  /** The connection pool's counts (PostgreSQL); absent where there is no pool (SQLite). */
  readonly pool?: () => PoolStats;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
