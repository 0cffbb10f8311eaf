// Session rows: the sessions and refresh_tokens tables and their mapping to the domain.
import type { Selectable } from 'kysely';
import type { RefreshToken, Session } from '../../../domain/types.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface SessionsTable {
  id: string;
  client_id: string;
  user_id: string;
  tenant_id: string;
  access_key_id: string | null;
  scope: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: NullableMillis;
  revoked_reason: string | null;
  /** The DPoP key a public client's refresh tokens are bound to (migration 0026). */
  dpop_jkt: string | null;
}

export interface RefreshTokensTable {
  token_hash: Buffer;
  session_id: string;
  scope: string;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
  /** When the grace-period retry of this used token was answered (or it was spent by one). */
  grace_used_at: NullableMillis;
}

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
    ...(r.dpop_jkt ? { dpopJkt: r.dpop_jkt } : {}),
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
    dpop_jkt: s.dpopJkt ?? null,
  }),
};

export const refreshTokenRow = {
  from: (r: Omit<Selectable<RefreshTokensTable>, 'grace_used_at'>): RefreshToken => ({
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
