// The audit trail of the admin service: every call that creates or changes a record is recorded once
// it has succeeded, with the record's id and what changed (never the secret a create returns). A new
// admin verb that changes something gets one line in AUDITED.
import type { Audit, AuditInput } from '../../observability/audit.js';

type Result = Record<string, unknown>;
/** A call's event; undefined when it changed nothing worth recording (a dry run). */
type Describe = (result: Result, args: readonly unknown[]) => Omit<AuditInput, 'actor'> | undefined;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** The names of the members an update was given (never their values), comma-separated. */
const changed = (input: unknown): string | null =>
  input && typeof input === 'object' ? Object.keys(input).sort().join(',') : null;

/** The event of each auditable admin method, from its result and arguments. */
const AUDITED: Record<string, Describe> = {
  createArea: (r) => ({ type: 'area.created', subject: `area:${str(r['name'])}` }),
  recordIssuer: (r) => ({
    type: 'issuer.recorded',
    subject: 'issuer',
    details: { recorded: str(r['recorded']), previous: str(r['previous']) },
  }),
  updateArea: (r, args) => ({
    type: 'area.updated',
    subject: `area:${str(r['name'])}`,
    // Only the fields given a value (an absent option is undefined, and changes nothing).
    details: {
      changed: changed(
        Object.fromEntries(
          Object.entries((args[1] ?? {}) as object).filter(([, v]) => v !== undefined && v !== ''),
        ),
      ),
    },
  }),
  createTenant: (r) => ({
    type: 'tenant.created',
    subject: `tenant:${str(r['id'])}`,
    tenantId: str(r['id']),
    details: { name: str(r['name']), area: str(r['area']) },
  }),
  setTenantStatus: (r) => ({
    type: 'tenant.changed',
    subject: `tenant:${str(r['id'])}`,
    tenantId: str(r['id']),
    details: { status: str(r['status']) },
  }),
  setAccessKeySelfService: (r) => ({
    type: 'tenant.changed',
    subject: `tenant:${str(r['id'])}`,
    tenantId: str(r['id']),
    details: { access_key_self_service: r['access_key_self_service'] === true },
  }),
  setSsoRequired: (r) => ({
    type: 'tenant.changed',
    subject: `tenant:${str(r['id'])}`,
    tenantId: str(r['id']),
    details: { sso_required: r['sso_required'] === true },
  }),
  setPasswordMinLength: (r) => ({
    type: 'tenant.changed',
    subject: `tenant:${str(r['id'])}`,
    tenantId: str(r['id']),
    details: {
      min_length: typeof r['password_min_length'] === 'number' ? r['password_min_length'] : null,
    },
  }),
  setMailTemplate: (r) => ({
    type: 'mail_template.changed',
    subject: `mail_template:${str(r['name'])}`,
    tenantId: str(r['tenantId']),
    details: {
      name: str(r['name']),
      parts: Array.isArray(r['customised_parts']) ? r['customised_parts'].join(',') : null,
    },
  }),
  resetMailTemplate: (r) => ({
    type: 'mail_template.reset',
    subject: `mail_template:${str(r['name'])}`,
    tenantId: str(r['tenantId']),
    details: { name: str(r['name']) },
  }),
  setEmailVerificationRequired: (r) => ({
    type: 'tenant.changed',
    subject: `tenant:${str(r['id'])}`,
    tenantId: str(r['id']),
    details: { email_verification_required: r['email_verification_required'] === true },
  }),
  createIdentityProvider: (r) => ({
    type: 'identity_provider.created',
    subject: `identity_provider:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { kind: str(r['kind']), name: str(r['name']) },
  }),
  updateIdentityProvider: (r, args) => ({
    type: 'identity_provider.changed',
    subject: `identity_provider:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { changed: changed(args[2]) },
  }),
  deleteIdentityProvider: (r) => ({
    type: 'identity_provider.deleted',
    subject: `identity_provider:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
  }),
  createUser: (r) => ({
    type: 'user.created',
    subject: `user:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { role: str((r['role'] as Result | undefined)?.['legacyId']) },
  }),
  // One event per import, with its counts (never a row, an e-mail or a hash); a dry run writes nothing.
  importUsers: (r) =>
    r['dry_run'] === true
      ? undefined
      : {
          type: 'user.imported',
          subject: `tenant:${str(r['tenantId'])}`,
          tenantId: str(r['tenantId']),
          details: {
            created: Number(r['created'] ?? 0),
            exists: Number(r['exists'] ?? 0),
            invalid: Number(r['invalid'] ?? 0),
          },
        },
  updateUser: (r, args) => ({
    type: 'user.changed',
    subject: `user:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { changed: changed(args[1]), role: str((r['role'] as Result | undefined)?.['legacyId']) },
  }),
  setPassword: (r) => ({ type: 'user.password_set', subject: `user:${str(r['id'])}` }),
  enrollTotp: (r) => ({ type: 'user.totp_enrolled', subject: `user:${str(r['id'])}` }),
  renamePasskey: (r) => ({
    type: 'passkey.renamed',
    subject: `user:${str(r['userId'])}`,
    tenantId: str(r['tenantId']),
    details: { passkeyId: str(r['id']) },
  }),
  removePasskey: (r) => ({
    type: 'passkey.removed',
    subject: `user:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { passkeyId: str(r['passkey']) },
  }),
  resetSecondFactors: (r) => ({
    type: 'user.second_factors_reset',
    subject: `user:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { passkeys: typeof r['passkeys'] === 'number' ? r['passkeys'] : null },
  }),
  inviteUser: (r) => ({
    type: 'invitation.created',
    subject: `invitation:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { role: str(r['role']) },
  }),
  revokeInvitation: (r) => ({
    type: 'invitation.revoked',
    subject: `invitation:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
  }),
  createScimToken: (r) => ({
    type: 'scim_token.created',
    subject: `scim_token:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { name: str(r['name']) },
  }),
  revokeScimToken: (r) => ({
    type: 'scim_token.revoked',
    subject: `scim_token:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
  }),
  setUserStatus: (r) => ({
    type: 'user.changed',
    subject: `user:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { status: str(r['status']) },
  }),
  createApplication: (r) => ({
    type: 'application.created',
    subject: `application:${str(r['client_id'])}`,
    tenantId: str(r['tenantId']),
    details: { name: str(r['name']) },
  }),
  updateApplication: (r, args) => ({
    type: 'application.changed',
    subject: `application:${str(r['client_id'])}`,
    tenantId: str(r['tenantId']),
    details: { changed: changed(args[1]) },
  }),
  rotateClientSecret: (r) => ({
    type: 'application.secret_rotated',
    subject: `application:${str(r['client_id'])}`,
    tenantId: str(r['tenantId']),
    details: { overlapUntil: str(r['previous_secret_expires_at']) },
  }),
  deleteApplication: (_r, args) => ({
    type: 'application.deleted',
    subject: `application:${str(args[0])}`,
  }),
  setApplicationStatus: (r) => ({
    type: 'application.changed',
    subject: `application:${str(r['client_id'])}`,
    tenantId: str(r['tenantId']),
    details: { status: str(r['status']) },
  }),
  createAccessKey: (r) => ({
    type: 'access_key.created',
    subject: `access_key:${str(r['accessKeyId'])}`,
    tenantId: str(r['tenantId']),
    details: { userId: str(r['userId']) },
  }),
  setAccessKeyStatus: (r) => ({
    type: 'access_key.changed',
    subject: `access_key:${str(r['accessKeyId'])}`,
    tenantId: str(r['tenantId']),
    details: { userId: str(r['userId']), status: str(r['status']), by: str(r['deactivatedBy']) },
  }),
  endSession: (r) => ({
    type: 'session.ended',
    subject: `session:${str(r['id'])}`,
    tenantId: str(r['tenantId']),
    details: { userId: str(r['userId']), clientId: str(r['client_id']) },
  }),
  withdrawGrant: (r, args) => ({
    type: 'grant.withdrawn',
    subject: `user:${str(args[0])}`,
    details: { clientId: str(args[1]), sessionsEnded: Number(r['sessionsEnded'] ?? 0) },
  }),
  rotateSigningKey: (r) => ({
    type: 'signing_key.rotated',
    subject: `signing_key:${str(r['kid'])}`,
    details: { kid: str(r['kid']), alg: str(r['alg']), signFrom: str(r['signFrom']) },
  }),
  retireSigningKey: (r) => ({
    type: 'signing_key.retired',
    subject: `signing_key:${str(r['kid'])}`,
    details: { kid: str(r['kid']), state: str(r['state']), removeAt: str(r['removeAt']) },
  }),
};

/**
 * The signing keys' changes take the key lock (one node at a time), which nodes starting together hold
 * in turn: on SQLite their unit waits for the write lock as long as a key change does.
 */
const KEY_CHANGES = new Set(['rotateSigningKey', 'retireSigningKey']);
const KEY_PATIENCE_MS = 30_000;

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * What a call does before its unit of work opens, because it takes long and needs nothing the unit must
 * keep fresh: a memory-hard password hash (tens of ms) and a new key pair (up to hundreds of ms). Inside
 * the unit it would hold SQLite's write lock, and so every other write on the node, as long. Each turns
 * the call's arguments into those the method is then called with, inside the unit.
 */
const PREPARED: Record<string, (admin: Record<string, Method>, args: unknown[]) => Promise<unknown[]>> = {
  setPassword: async (admin, [userId, password, ...rest]) => [
    userId,
    typeof password === 'string' && admin['preparePassword']
      ? await admin['preparePassword'](userId, password)
      : password,
    ...rest,
  ],
  rotateSigningKey: async (admin, [material, ...rest]) => [
    material === undefined && admin['prepareSigningKey'] ? await admin['prepareSigningKey']() : material,
    ...rest,
  ],
};

/**
 * Wraps an admin service so each auditable call stores its event in the transaction of its change
 * (`Audit.within`: the change, the event and its webhook deliveries commit together) before returning. `actor` is `cli`, or `user:<id>` through the admin
 * API, whose `address` is the caller's.
 */
export function audited<A extends object>(
  admin: A,
  audit: Audit,
  actor: string,
  address: string | null = null,
): A {
  const wrapped = { ...admin } as Record<string, unknown>;
  for (const [name, describe] of Object.entries(AUDITED)) {
    const method = (admin as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    const describeAs = (result: Result, args: readonly unknown[]): AuditInput | undefined => {
      const event = describe(result, args);
      return event && { ...event, actor, ...(address === null ? {} : { address }) };
    };
    const unit = KEY_CHANGES.has(name) ? { patienceMs: KEY_PATIENCE_MS } : undefined;
    const prepare = PREPARED[name];
    wrapped[name] = async (...given: unknown[]) => {
      const args = prepare ? await prepare(admin as Record<string, Method>, given) : given;
      return audit.within(
        async () => ((await method.apply(admin, args)) ?? {}) as Result,
        (result) => describeAs(result, args),
        unit,
      );
    };
  }
  return wrapped as A;
}
