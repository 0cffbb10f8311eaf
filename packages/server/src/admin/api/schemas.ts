// The admin API's schemas (TypeBox, i.e. JSON Schema): they validate every body, path parameter and
// query, refuse unknown members, and are the OpenAPI document (openapi.ts), so the two cannot drift.
import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { IDP_COMPONENTS } from './idp-schemas.js';
import { MAIL_TEMPLATE_COMPONENTS } from './mail-template-schemas.js';
import { WEBHOOK_COMPONENTS } from './webhook-schemas.js';

const strict = { additionalProperties: false } as const;
const Str = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const Time = Type.Union([Type.String(), Type.Null()]);
const Status = Type.Union([Type.Literal('active'), Type.Literal('inactive')]);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ in: Type.String(), pointer: Type.String(), reason: Type.String() })),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const Id = (name: string) => Type.Object({ [name]: Str(128) }, strict);
export const Page = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Str(512)),
  },
  strict,
);
export const pageWith = <T extends TObject>(extra: T) => Type.Composite([Page, extra], strict);
export const List = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

export const Tenant = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    area: Type.String(),
    cluster: Type.String(),
    icBUId: Type.Integer(),
    icClusterId: Type.String(),
    private: Type.Boolean(),
    access_key_self_service: Type.Boolean(),
    /** Users of the domains its identity providers claim must sign in through them (docs/sso.md). */
    sso_required: Type.Boolean(),
    password_min_length: Type.Union([Type.Integer(), Type.Null()], {
      description: "the shortest password its people may set; null: the service's CXAUTH_PASSWORD_MIN_LENGTH",
    }),
    /** Its people verify their e-mail before a sign-in gets a code (docs/people.md). */
    email_verification_required: Type.Boolean(),
    status: Status,
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'Tenant' },
);
/** A tenant's shortest password: 8 to 64 characters (NIST SP 800-63B §5.1.1.2), null for the default. */
const MinLength = Type.Union([Type.Integer(), Type.Null()], {
  description: "8 to 64; null: the service's CXAUTH_PASSWORD_MIN_LENGTH",
});
export const CreateTenant = Type.Object(
  {
    name: Str(64),
    area: Str(32),
    cluster: Type.Optional(Str(16)),
    icBUId: Type.Optional(Type.Integer({ minimum: -2147483648, maximum: 2147483647 })),
    icClusterId: Type.Optional(Str(16)),
    private: Type.Optional(Type.Boolean()),
    password_min_length: Type.Optional(MinLength),
    email_verification_required: Type.Optional(Type.Boolean({ description: 'default false' })),
  },
  { ...strict, $id: 'CreateTenant' },
);
/**
 * `status` is for operators; a tenant's Administrators may change `access_key_self_service`,
 * `sso_required`, `email_verification_required` and `password_min_length` only.
 */
export const PatchTenant = Type.Object(
  {
    status: Type.Optional(Status),
    access_key_self_service: Type.Optional(Type.Boolean()),
    sso_required: Type.Optional(Type.Boolean()),
    password_min_length: Type.Optional(MinLength),
    email_verification_required: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1, $id: 'PatchTenant' },
);

const Role = Type.Object({
  id: Type.String(),
  legacyId: Type.String(),
  lastUpdateTime: Type.Number(),
  secondaryRoles: Type.Array(Type.Object({ id: Type.String(), lastUpdateTime: Type.Number() })),
});
export const User = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    email: Type.String(),
    email_verified: Type.Boolean({
      description: 'the person showed they read mail at `email` (OIDC Core §5.1)',
    }),
    given_name: Type.Union([Type.String(), Type.Null()]),
    family_name: Type.Union([Type.String(), Type.Null()]),
    role: Role,
    operator: Type.Boolean(),
    status: Status,
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'User' },
);
export const CreateUser = Type.Object(
  {
    email: Str(254),
    given_name: Type.Optional(Type.String({ maxLength: 100 })),
    family_name: Type.Optional(Type.String({ maxLength: 100 })),
    role: Type.Optional(Str(64)),
    operator: Type.Optional(Type.Boolean({ description: 'platform operators only' })),
  },
  { ...strict, $id: 'CreateUser' },
);
export const PatchUser = Type.Object(
  {
    role: Type.Optional(Str(64)),
    status: Type.Optional(Status),
    operator: Type.Optional(Type.Boolean({ description: 'platform operators only' })),
  },
  { ...strict, minProperties: 1, $id: 'PatchUser' },
);
export const SetPassword = Type.Object({ password: Str(1024) }, { ...strict, $id: 'SetPassword' });

/** 10,000 rows of e-mail, names, role and a hash of up to 512 characters fit in 16 MiB. */
export const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;
// Each member is only typed here: a missing or unfitting value is one row's `invalid`, not a 400.
const ImportText = (max: number, description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()], { description }));
export const ImportUser = Type.Object(
  {
    email: ImportText(1024, 'the login name; required, unique in the tenant'),
    given_name: ImportText(1024, 'given name'),
    family_name: ImportText(1024, 'family name'),
    role: ImportText(1024, 'legacy role name (default Agent)'),
    password_hash: ImportText(
      1024,
      'a hash of the password in another system (bcrypt, scrypt, argon2id, pbkdf2-sha256, Django pbkdf2_sha256); absent: no password',
    ),
  },
  { ...strict, $id: 'ImportUser' },
);
export const ImportUsers = Type.Object(
  {
    users: Type.Array(ImportUser, {
      minItems: 1,
      maxItems: 10_000 /* service/user-import.ts MAX_IMPORT_ROWS */,
    }),
    dry_run: Type.Optional(Type.Boolean({ description: 'check every row and report, writing nothing' })),
  },
  { ...strict, $id: 'ImportUsers' },
);
export const ImportReport = Type.Object(
  {
    tenantId: Type.String(),
    dry_run: Type.Boolean(),
    created: Type.Integer({ description: 'rows made users (in a dry run: that would be)' }),
    exists: Type.Integer({ description: 'rows whose e-mail the tenant already has (left as they are)' }),
    invalid: Type.Integer(),
    rows: Type.Array(
      Type.Object({
        row: Type.Integer({ description: '1-based position in `users`' }),
        email: Type.Union([Type.String(), Type.Null()]),
        outcome: Type.Union([Type.Literal('created'), Type.Literal('exists'), Type.Literal('invalid')]),
        id: Type.Optional(Type.String({ description: 'the new user (created, not in a dry run)' })),
        reason: Type.Optional(Type.String({ description: 'why the row is invalid' })),
      }),
    ),
  },
  { $id: 'ImportReport' },
);

export const AccessKey = Type.Object(
  {
    accessKeyId: Type.String(),
    userId: Type.String(),
    tenantId: Type.String(),
    status: Status,
    active: Type.Boolean(),
    createdAt: Time,
    lastUsedAt: Time,
    deactivatedBy: Type.Union([Type.Literal('owner'), Type.Literal('administrator'), Type.Null()]),
  },
  { $id: 'AccessKey' },
);
export const NewAccessKey = Type.Object(
  { ...AccessKey.properties, accessKeySecret: Type.String() },
  { $id: 'NewAccessKey' },
);
export const PatchAccessKey = Type.Object({ active: Type.Boolean() }, { ...strict, $id: 'PatchAccessKey' });

export const ScimToken = Type.Object(
  { id: Type.String(), tenantId: Type.String(), name: Type.String(), createdAt: Time, revokedAt: Time },
  { $id: 'ScimToken' },
);
export const NewScimToken = Type.Object(
  { ...ScimToken.properties, token: Type.String({ description: 'the bearer token, shown this once' }) },
  { $id: 'NewScimToken' },
);
export const CreateScimToken = Type.Object({ name: Str(100) }, { ...strict, $id: 'CreateScimToken' });
export const TenantScimTokenId = Type.Object({ id: Str(128), tokenId: Str(128) }, strict);

export const Invitation = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    email: Type.String(),
    role: Type.String(),
    invitedBy: Type.String(),
    state: Type.Union([
      Type.Literal('pending'),
      Type.Literal('accepted'),
      Type.Literal('revoked'),
      Type.Literal('expired'),
    ]),
    createdAt: Time,
    expiresAt: Time,
    acceptedAt: Time,
    revokedAt: Time,
  },
  { $id: 'Invitation' },
);
export const CreateInvitation = Type.Object(
  { email: Str(254), role: Type.Optional(Str(64)) },
  { ...strict, $id: 'CreateInvitation' },
);
export const TenantInvitationId = Type.Object({ id: Str(128), invitationId: Str(128) }, strict);

const Url = Str(2000);
const AppType = Type.Union([Type.Literal('confidential'), Type.Literal('public'), Type.Literal('backend')]);
const Tenancy = Type.Union([Type.Literal('single'), Type.Literal('all')]);
const Lists = {
  origins: Type.Array(Url, { maxItems: 100 }),
  redirect_uris: Type.Array(Url, { maxItems: 100 }),
  post_logout_redirect_uris: Type.Array(Url, { maxItems: 100 }),
  grant_types: Type.Array(Str(100), { maxItems: 10 }),
  scopes: Type.Array(Str(100), { maxItems: 50 }),
};
export const Application = Type.Object(
  {
    client_id: Type.String(),
    name: Type.String(),
    type: AppType,
    tenancy: Tenancy,
    tenantId: Type.Union([Type.String(), Type.Null()]),
    origins: Type.Array(Type.String()),
    redirect_uris: Type.Array(Type.String()),
    post_logout_redirect_uris: Type.Array(Type.String()),
    grant_types: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    /** Run by the platform itself: no consent page; set by operators only. */
    first_party: Type.Boolean(),
    /** Every access token is DPoP-bound: a token request without a proof is refused (RFC 9449). */
    dpop_bound_access_tokens: Type.Boolean(),
    status: Status,
    active: Type.Boolean(),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'Application' },
);
/** A public application has no secret: `client_secret` is absent for it. */
export const NewApplication = Type.Object(
  {
    ...Application.properties,
    client_secret: Type.Optional(Type.String()),
  },
  { $id: 'NewApplication' },
);
export const RotatedSecret = Type.Object(
  {
    ...Application.properties,
    client_secret: Type.String(),
    previous_secret_expires_at: Time,
  },
  { $id: 'RotatedSecret' },
);
export const CreateApplication = Type.Object(
  {
    name: Str(100),
    type: AppType,
    tenancy: Tenancy,
    tenantId: Type.Optional(Str(64)),
    origins: Type.Optional(Lists.origins),
    redirect_uris: Type.Optional(Lists.redirect_uris),
    post_logout_redirect_uris: Type.Optional(Lists.post_logout_redirect_uris),
    grant_types: Type.Optional(Lists.grant_types),
    scopes: Type.Optional(Lists.scopes),
    first_party: Type.Optional(Type.Boolean()),
    dpop_bound_access_tokens: Type.Optional(Type.Boolean()),
  },
  { ...strict, $id: 'CreateApplication' },
);
export const PatchApplication = Type.Object(
  {
    name: Type.Optional(Str(100)),
    active: Type.Optional(Type.Boolean()),
    origins: Type.Optional(Lists.origins),
    redirect_uris: Type.Optional(Lists.redirect_uris),
    post_logout_redirect_uris: Type.Optional(Lists.post_logout_redirect_uris),
    grant_types: Type.Optional(Lists.grant_types),
    scopes: Type.Optional(Lists.scopes),
    first_party: Type.Optional(Type.Boolean()),
    dpop_bound_access_tokens: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1, $id: 'PatchApplication' },
);

/** What a user allowed a third-party application (the consent page's remembered answer). */
export const Grant = Type.Object(
  {
    client_id: Type.String(),
    application: Type.String(),
    tenantId: Type.Union([Type.String(), Type.Null()]),
    scopes: Type.Array(Type.String()),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'Grant' },
);
export const GrantParams = Type.Object({ id: Str(128), client_id: Str(128) });

export const Area = Type.Object(
  {
    name: Type.String(),
    domain: Type.String(),
    acdDomain: Type.String(),
    uhDomain: Type.String(),
    ui_endpoint: Type.String(),
    auth_endpoint: Type.String(),
    api_endpoint: Type.String(),
    createdAt: Time,
  },
  { $id: 'Area' },
);
export const CreateArea = Type.Object(
  {
    name: Str(32),
    api_endpoint: Url,
    ui_endpoint: Type.Optional(Url),
    auth_endpoint: Type.Optional(Url),
    domain: Type.Optional(Str(253)),
    acdDomain: Type.Optional(Str(253)),
    uhDomain: Type.Optional(Str(253)),
  },
  { ...strict, $id: 'CreateArea' },
);

/** The fields of an area to change; the others stay as they are. */
export const PatchArea = Type.Partial(Type.Omit(CreateArea, ['name']), { ...strict, $id: 'PatchArea' });

/** A signing key's public facts and its life (docs/operations.md, "Signing keys and rotation"). */
export const SigningKey = Type.Object(
  {
    kid: Type.String(),
    alg: Type.String(),
    state: Type.String(),
    createdAt: Time,
    publishAt: Time,
    signFrom: Time,
    retiredAt: Time,
    removeAt: Time,
  },
  { $id: 'SigningKey' },
);

export const Session = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    tenantId: Type.String(),
    client_id: Type.String(),
    accessKeyId: Type.Union([Type.String(), Type.Null()]),
    scope: Type.String(),
    createdAt: Time,
    expiresAt: Time,
    revokedAt: Time,
    active: Type.Boolean(),
    user_email: Type.Union([Type.String(), Type.Null()], {
      description: "the user's e-mail, when the caller may see that user",
    }),
    app_name: Type.Union([Type.String(), Type.Null()], {
      description: "the application's name, when the caller may see that application",
    }),
  },
  { $id: 'Session' },
);
export const SessionQuery = pageWith(
  Type.Object({
    tenantId: Type.Optional(Str(128)),
    userId: Type.Optional(Str(128)),
    client_id: Type.Optional(Str(128)),
    active: Type.Optional(Type.Boolean()),
  }),
);

const Nullable = Type.Union([Type.String(), Type.Null()]);
export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    at: Type.String(),
    type: Type.String(),
    actor: Nullable,
    subject: Nullable,
    tenantId: Nullable,
    address: Nullable,
    actor_name: Type.Union([Type.String(), Type.Null()], {
      description: "the actor's e-mail or application name, when the caller may see it",
    }),
    subject_name: Type.Union([Type.String(), Type.Null()], {
      description: "the subject's e-mail or name, when the caller may see it",
    }),
    details: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
  },
  { $id: 'AuditEvent' },
);
/**
 * `since`: an ISO 8601 time or a duration back from now (`24h`); `type`: a type or a prefix
 * (`grant.*`); `actor`: an actor as stored (`user:<id>`, `client:<id>`, `cli`) or a user's e-mail;
 * `tenantId`: one tenant's events (operators; an Administrator's are always its own tenant's).
 */
export const AuditQuery = pageWith(
  Type.Object({
    since: Type.Optional(Str(40)),
    type: Type.Optional(Str(100)),
    actor: Type.Optional(Str(300)),
    tenantId: Type.Optional(Str(128)),
  }),
);
export const TotpEnrollment = Type.Object(
  { id: Type.String(), otpauth_uri: Type.String() },
  { $id: 'TotpEnrollment' },
);
/** A user's passkey as the API shows it: never the credential ID, the public key or the counter. */
export const Passkey = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    transports: Type.Array(Type.String()),
    multiDevice: Type.Boolean(),
    backedUp: Type.Boolean(),
    createdAt: Time,
    lastUsedAt: Time,
  },
  { $id: 'Passkey' },
);
export const PasskeyParams = Type.Object({ id: Str(128), passkey_id: Str(128) });
/** A passkey's new name: trimmed, 1 to 64 characters, no control characters (else 400). */
export const RenamePasskey = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) }, strict);

/** `since` as for the audit log (default `24h`); `bucket` a duration of at least `1m`. */
export const StatsQuery = Type.Object(
  {
    since: Type.Optional(Str(40)),
    bucket: Type.Optional(Str(16)),
    tenantId: Type.Optional(Str(128)),
  },
  strict,
);
const Count = Type.Integer({ minimum: 0 });
export const Stats = Type.Object(
  {
    since: Type.String({ description: "the first bucket's start" }),
    until: Type.String({ description: 'now: the end of the last bucket, which may be shorter' }),
    bucket_seconds: Type.Integer(),
    tenantId: Type.Union([Type.String(), Type.Null()], { description: 'null: the whole platform' }),
    buckets: Type.Array(
      Type.Object({
        start: Type.String(),
        sign_ins: Count,
        failures: Count,
        throttled: Count,
        tokens_issued: Count,
        active_sessions: Type.Integer({ minimum: 0, description: 'open at the end of the bucket' }),
      }),
    ),
    totals: Type.Object({ sign_ins: Count, failures: Count, throttled: Count, tokens_issued: Count }),
  },
  { $id: 'Stats' },
);

/**
 * The named schemas: each is one entry of the document's `components.schemas` (its `$id`), and
 * routes and other schemas refer to it with `$ref` (router.ts).
 */
export const COMPONENTS: readonly TSchema[] = [
  Problem,
  Tenant,
  CreateTenant,
  PatchTenant,
  User,
  CreateUser,
  PatchUser,
  SetPassword,
  ImportUser,
  ImportUsers,
  ImportReport,
  AccessKey,
  NewAccessKey,
  PatchAccessKey,
  ScimToken,
  NewScimToken,
  CreateScimToken,
  Invitation,
  CreateInvitation,
  Application,
  NewApplication,
  RotatedSecret,
  CreateApplication,
  PatchApplication,
  Grant,
  Area,
  CreateArea,
  PatchArea,
  SigningKey,
  Session,
  AuditEvent,
  TotpEnrollment,
  Passkey,
  Stats,
  ...WEBHOOK_COMPONENTS,
  ...IDP_COMPONENTS,
  ...MAIL_TEMPLATE_COMPONENTS,
];
