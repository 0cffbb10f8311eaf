// Application rows: the applications table (lists as JSON text) and its mapping.
import type { Selectable } from 'kysely';
import type { Application, AppType, GrantName, Tenancy } from '../../../domain/types.js';
import { type Millis, type NullableMillis, status, toDate } from '../rows.js';

export interface ApplicationsTable {
  client_id: string;
  /** `confidential`, `public` or `backend` (migration 0003). */
  type: string;
  /** Empty for a public application, which has no secret. */
  secret_hash: Buffer;
  name: string;
  /** JSON string arrays. */
  origins: string;
  grant_types: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  scopes: string;
  /** `single` or `all`. */
  tenancy: string;
  tenant_id: string | null;
  /** 1 for a first-party application (migration 0010). */
  first_party: number;
  /** 1 when every access token must be DPoP-bound (migration 0026). */
  dpop_bound_access_tokens: number;
  /** The secret replaced by the last rotation and the end of its overlap (migration 0009). */
  previous_secret_hash: Buffer | null;
  previous_secret_expires_at: NullableMillis;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

const NO_SECRET = Buffer.alloc(0);

/** The lists an update may change (the type, tenancy and secret stay as created); an insert writes them too. */
export const applicationListColumns = (a: Application) => ({
  name: a.name,
  origins: JSON.stringify(a.origins),
  grant_types: JSON.stringify(a.grantTypes),
  redirect_uris: JSON.stringify(a.redirectUris),
  post_logout_redirect_uris: JSON.stringify(a.postLogoutRedirectUris),
  scopes: JSON.stringify(a.scopes),
  first_party: a.firstParty ? 1 : 0,
  dpop_bound_access_tokens: a.dpopBoundAccessTokens ? 1 : 0,
  updated_at: a.updatedAt.getTime(),
});

export const applicationRow = {
  from: (r: Selectable<ApplicationsTable>): Application => ({
    clientId: r.client_id,
    type: r.type as AppType,
    secretHash: r.secret_hash.length === 0 ? null : Buffer.from(r.secret_hash),
    name: r.name,
    origins: JSON.parse(r.origins) as string[],
    grantTypes: JSON.parse(r.grant_types) as GrantName[],
    redirectUris: JSON.parse(r.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(r.post_logout_redirect_uris) as string[],
    scopes: JSON.parse(r.scopes) as string[],
    tenancy: r.tenancy as Tenancy,
    tenantId: r.tenant_id,
    firstParty: Number(r.first_party) === 1,
    // Only when set, so an application record reads as it did before DPoP.
    ...(Number(r.dpop_bound_access_tokens) === 1 ? { dpopBoundAccessTokens: true } : {}),
    previousSecret:
      r.previous_secret_hash && r.previous_secret_expires_at !== null
        ? { hash: Buffer.from(r.previous_secret_hash), expiresAt: toDate(r.previous_secret_expires_at) }
        : null,
    status: status(r.status),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (a: Application) => ({
    client_id: a.clientId,
    type: a.type,
    secret_hash: a.secretHash ?? NO_SECRET,
    tenancy: a.tenancy,
    tenant_id: a.tenantId,
    previous_secret_hash: a.previousSecret?.hash ?? null,
    previous_secret_expires_at: a.previousSecret ? a.previousSecret.expiresAt.getTime() : null,
    status: a.status,
    created_at: a.createdAt.getTime(),
    ...applicationListColumns(a),
  }),
};
