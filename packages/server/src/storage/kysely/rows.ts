// Row ↔ domain mapping for every table, and the translation of driver constraint errors: the only
// place that knows how a domain value is laid out in a row.
import type { Selectable } from 'kysely';
import type {
  AccessKey,
  Application,
  Area,
  GrantType,
  RefreshToken,
  SecondaryRole,
  Session,
  SigningKey,
  Status,
  Tenant,
  User,
} from '../../domain/types.js';
import { StorageConstraintError } from '../errors.js';
import type {
  AccessKeysTable,
  ApplicationsTable,
  AreasTable,
  RefreshTokensTable,
  SessionsTable,
  SigningKeysTable,
  TenantsTable,
  UsersTable,
} from './schema.js';

/** Reads an epoch-milliseconds column (number on SQLite, string for a PostgreSQL bigint). */
export function toDate(value: number | string): Date {
  return new Date(Number(value));
}

export function toDateOrNull(value: number | string | null): Date | null {
  return value === null ? null : toDate(value);
}

function status(value: string): Status {
  return value === 'active' ? 'active' : 'inactive';
}

export const areaRow = {
  from: (r: Selectable<AreasTable>): Area => ({
    name: r.name,
    domain: r.domain,
    acdDomain: r.acd_domain,
    uhDomain: r.uh_domain,
    uiEndpoint: r.ui_endpoint,
    authEndpoint: r.auth_endpoint,
    apiEndpoint: r.api_endpoint,
    createdAt: toDate(r.created_at),
  }),
  to: (a: Area) => ({
    name: a.name,
    domain: a.domain,
    acd_domain: a.acdDomain,
    uh_domain: a.uhDomain,
    ui_endpoint: a.uiEndpoint,
    auth_endpoint: a.authEndpoint,
    api_endpoint: a.apiEndpoint,
    created_at: a.createdAt.getTime(),
  }),
};

export const tenantRow = {
  from: (r: Selectable<TenantsTable>): Tenant => ({
    id: r.id,
    name: r.name,
    area: r.area,
    cluster: r.cluster,
    businessUnitId: Number(r.business_unit_id),
    clusterId: r.cluster_id,
    private: Number(r.is_private) === 1,
    status: status(r.status),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (t: Tenant) => ({
    id: t.id,
    name: t.name,
    area: t.area,
    cluster: t.cluster,
    business_unit_id: t.businessUnitId,
    cluster_id: t.clusterId,
    is_private: t.private ? 1 : 0,
    status: t.status,
    created_at: t.createdAt.getTime(),
    updated_at: t.updatedAt.getTime(),
  }),
};

export const userRow = {
  from: (r: Selectable<UsersTable>): User => ({
    id: r.id,
    tenantId: r.tenant_id,
    email: r.email,
    givenName: r.given_name,
    familyName: r.family_name,
    role: {
      id: r.role_id,
      legacyId: r.role_legacy_id,
      lastUpdateTime: Number(r.role_updated_at),
      secondaryRoles: JSON.parse(r.secondary_roles) as SecondaryRole[],
    },
    status: status(r.status),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (u: User) => ({
    id: u.id,
    tenant_id: u.tenantId,
    email: u.email,
    given_name: u.givenName,
    family_name: u.familyName,
    role_id: u.role.id,
    role_legacy_id: u.role.legacyId,
    role_updated_at: u.role.lastUpdateTime,
    secondary_roles: JSON.stringify(u.role.secondaryRoles),
    status: u.status,
    created_at: u.createdAt.getTime(),
    updated_at: u.updatedAt.getTime(),
  }),
};

export const applicationRow = {
  from: (r: Selectable<ApplicationsTable>): Application => ({
    clientId: r.client_id,
    secretHash: Buffer.from(r.secret_hash),
    name: r.name,
    origins: JSON.parse(r.origins) as string[],
    grantTypes: JSON.parse(r.grant_types) as GrantType[],
    redirectUris: JSON.parse(r.redirect_uris) as string[],
    tenantId: r.tenant_id,
    status: status(r.status),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (a: Application) => ({
    client_id: a.clientId,
    secret_hash: a.secretHash,
    name: a.name,
    origins: JSON.stringify(a.origins),
    grant_types: JSON.stringify(a.grantTypes),
    redirect_uris: JSON.stringify(a.redirectUris),
    tenant_id: a.tenantId,
    status: a.status,
    created_at: a.createdAt.getTime(),
    updated_at: a.updatedAt.getTime(),
  }),
};

export const accessKeyRow = {
  from: (r: Selectable<AccessKeysTable>): AccessKey => ({
    id: r.id,
    userId: r.user_id,
    tenantId: r.tenant_id,
    secretHash: Buffer.from(r.secret_hash),
    status: status(r.status),
    createdAt: toDate(r.created_at),
    lastUsedAt: toDateOrNull(r.last_used_at),
  }),
  to: (k: AccessKey) => ({
    id: k.id,
    user_id: k.userId,
    tenant_id: k.tenantId,
    secret_hash: k.secretHash,
    status: k.status,
    created_at: k.createdAt.getTime(),
    last_used_at: k.lastUsedAt ? k.lastUsedAt.getTime() : null,
  }),
};

export const signingKeyRow = {
  from: (r: Selectable<SigningKeysTable>): SigningKey => ({
    kid: r.kid,
    alg: 'RS256',
    publicJwk: JSON.parse(r.public_jwk) as SigningKey['publicJwk'],
    privateKeyEncrypted: Buffer.from(r.private_key_encrypted),
    status: status(r.status),
    createdAt: toDate(r.created_at),
  }),
  to: (k: SigningKey) => ({
    kid: k.kid,
    alg: k.alg,
    public_jwk: JSON.stringify({ kty: k.publicJwk.kty, n: k.publicJwk.n, e: k.publicJwk.e }),
    private_key_encrypted: k.privateKeyEncrypted,
    status: k.status,
    created_at: k.createdAt.getTime(),
  }),
};

export const sessionRow = {
  from: (r: Selectable<SessionsTable>): Session => ({
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    tenantId: r.tenant_id,
    accessKeyId: r.access_key_id,
    scope: r.scope,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    revokedAt: toDateOrNull(r.revoked_at),
    revokedReason: r.revoked_reason,
  }),
  to: (s: Session) => ({
    id: s.id,
    client_id: s.clientId,
    user_id: s.userId,
    tenant_id: s.tenantId,
    access_key_id: s.accessKeyId,
    scope: s.scope,
    created_at: s.createdAt.getTime(),
    expires_at: s.expiresAt.getTime(),
    revoked_at: s.revokedAt ? s.revokedAt.getTime() : null,
    revoked_reason: s.revokedReason,
  }),
};

export const refreshTokenRow = {
  from: (r: Selectable<RefreshTokensTable>): RefreshToken => ({
    tokenHash: Buffer.from(r.token_hash),
    sessionId: r.session_id,
    scope: r.scope,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    usedAt: toDateOrNull(r.used_at),
  }),
  to: (t: RefreshToken) => ({
    token_hash: t.tokenHash,
    session_id: t.sessionId,
    scope: t.scope,
    created_at: t.createdAt.getTime(),
    expires_at: t.expiresAt.getTime(),
    used_at: t.usedAt ? t.usedAt.getTime() : null,
  }),
};

/** Runs a write, turning the drivers' constraint failures into {@link StorageConstraintError}. */
export async function constrained<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new StorageConstraintError('unique', `${what} already exists`, { cause: err });
    }
    if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      throw new StorageConstraintError('foreign_key', `${what} refers to a record that does not exist`, {
        cause: err,
      });
    }
    throw err;
  }
}
