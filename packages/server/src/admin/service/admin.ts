// The admin service: one object over Storage for the CLI and demo seeding, assembled from one module
// per aggregate. Errors are AdminError (not_found, invalid_value, conflict) with one-line messages.
import { type Audit, createAudit } from '../../observability/audit.js';
import type { Hasher } from '../../secrets/hasher.js';
import type { Storage } from '../../storage/contract/index.js';
import { accessKeyAdmin } from './access-keys.js';
import { applicationAdmin } from './applications.js';
import { areaAdmin } from './areas.js';
import { audited } from './audited.js';
import { type CredentialKeys, credentialAdmin } from './credentials.js';
import { grantAdmin } from './grants.js';
import { identityProviderAdmin } from './identity-providers.js';
import { type InvitationMail, invitationAdmin } from './invitations.js';
import { issuerAdmin } from './issuer-record.js';
import { mailTemplateAdmin } from './mail-templates.js';
import { type OperationsSettings, operationsAdmin } from './operations.js';
import { scimTokenAdmin } from './scim-tokens.js';
import { sessionAdmin } from './sessions.js';
import { type SigningKeyAdminOptions, signingKeyAdmin } from './signing-keys.js';
import { tenantAdmin } from './tenants.js';
import { userImportAdmin } from './user-import.js';
import { userAdmin } from './users.js';
import { webhookAdmin } from './webhooks.js';

export type Admin = ReturnType<typeof areaAdmin> &
  ReturnType<typeof tenantAdmin> &
  ReturnType<typeof userAdmin> &
  ReturnType<typeof userImportAdmin> &
  ReturnType<typeof applicationAdmin> &
  ReturnType<typeof accessKeyAdmin> &
  ReturnType<typeof signingKeyAdmin> &
  ReturnType<typeof operationsAdmin> &
  ReturnType<typeof credentialAdmin> &
  ReturnType<typeof sessionAdmin> &
  ReturnType<typeof grantAdmin> &
  ReturnType<typeof issuerAdmin> &
  ReturnType<typeof scimTokenAdmin> &
  ReturnType<typeof identityProviderAdmin> &
  ReturnType<typeof webhookAdmin> &
  ReturnType<typeof invitationAdmin> &
  ReturnType<typeof mailTemplateAdmin>;

export interface AdminOptions extends OperationsSettings {
  /** Where changes are recorded (default: stored in `storage` as they happen). */
  readonly audit?: Audit;
  /** Who acts, as the audit events name it (default `cli`). */
  readonly actor?: string;
  /** Enables the signing-key verbs (see signingKeyAdminOptions). */
  readonly signing?: SigningKeyAdminOptions;
  /** Enables the password and TOTP verbs (TOTP secrets are sealed with the KEK). */
  readonly credentials?: CredentialKeys;
  /** CXAUTH_WEBHOOK_ALLOW_PRIVATE: webhook targets on private addresses are allowed. */
  readonly allowPrivateWebhooks?: boolean;
  /** Enables invitations (their mail is sealed with the KEK into the outbox). */
  readonly invitations?: InvitationMail;
  /** CXAUTH_PASSWORD_MIN_LENGTH: the shortest password where a tenant sets none (default 8). */
  readonly passwordMinLength?: number;
}

/**
 * The admin service without its audit trail: for a caller that wraps it per actor with `audited`
 * (the admin API, whose actor is the signed-in user of each request).
 */
export function createAdminService(
  storage: Storage,
  hasher: Hasher,
  clock: () => Date = () => new Date(),
  options: Omit<AdminOptions, 'audit'> = {},
): Admin {
  const ctx = { storage, hasher, clock };
  return {
    ...areaAdmin(ctx),
    ...tenantAdmin(ctx),
    ...userAdmin(ctx),
    ...userImportAdmin(ctx),
    ...applicationAdmin(ctx),
    ...accessKeyAdmin(ctx),
    ...signingKeyAdmin({ ...ctx, ...(options.signing ? { signing: options.signing } : {}) }),
    ...operationsAdmin(ctx, options),
    ...credentialAdmin(ctx, options.credentials, options.passwordMinLength),
    ...sessionAdmin(ctx),
    ...grantAdmin(ctx),
    ...issuerAdmin(ctx, options.credentials?.issuer),
    ...scimTokenAdmin(ctx),
    ...identityProviderAdmin(ctx, options.credentials),
    ...webhookAdmin(ctx, options.credentials, options.actor, options.allowPrivateWebhooks),
    ...invitationAdmin(ctx, options.invitations),
    ...mailTemplateAdmin(ctx),
  };
}

/**
 * Builds the admin service, every change recorded in the audit trail as `options.actor`; `clock` is
 * injected so tests control every timestamp; `options.signing` (see signingKeyAdminOptions) enables
 * the signing-key verbs.
 */
export function createAdmin(
  storage: Storage,
  hasher: Hasher,
  clock: () => Date = () => new Date(),
  options: AdminOptions = {},
): Admin {
  const audit =
    options.audit ?? createAudit({ store: storage.auditEvents, atomically: storage.atomically, clock });
  return audited(createAdminService(storage, hasher, clock, options), audit, options.actor ?? 'cli');
}

export type { AccessKeyView } from './access-keys.js';
export type { ApplicationView, CreateApplicationInput, UpdateApplicationInput } from './applications.js';
export { exactOrigin, registrationOnWire } from './applications.js';
export type { AreaView, CreateAreaInput, UpdateAreaInput } from './areas.js';
export { audited } from './audited.js';
export type { GrantView } from './grants.js';
export type { InvitationMail, InvitationView } from './invitations.js';
export type { MailPartsInput, MailPreview, MailTemplateView } from './mail-templates.js';
export type { ActivityInput, ActivityView, AuditQuery, OperationsSettings } from './operations.js';
export type { SessionView } from './sessions.js';
export type { SigningKeyAdminOptions, SigningKeyView } from './signing-keys.js';
export { signingKeyAdminOptions } from './signing-keys.js';
export type { CreateTenantInput, TenantView } from './tenants.js';
export { randomBusinessUnitId } from './tenants.js';
export type { ImportReport, ImportRow, ImportRowReport } from './user-import.js';
export { MAX_IMPORT_ROWS } from './user-import.js';
export type { CreateUserInput, UserView } from './users.js';
