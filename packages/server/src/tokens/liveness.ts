// The liveness of an access token: its signature and claims verified by this issuer's verifier, and
// everything it stands for (session by `sid`, application, access key, user, tenant) still active,
// read from storage on every call. Userinfo and the admin API answer only for live tokens.
import { type AccessTokenClaims, isUserClaims, TokenError, type Verifier } from '@cxauth/verify';
import type { User } from '../domain/types.js';
import { InvalidRequest, InvalidToken } from '../protocol/errors.js';
import type { Storage } from '../storage/contract/index.js';

/** One answer for every record that ended, so a caller cannot tell which one did. */
export const ENDED = 'the session of this token has ended';

/**
 * The verified claims of `token`, with the verifier's refusals as this service's RFC 6750 errors.
 * @see RFC 6750 §3.1
 */
export async function verifiedClaims(
  verifier: Pick<Verifier, 'verify'>,
  token: string,
): Promise<AccessTokenClaims> {
  try {
    return await verifier.verify(token);
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    if (err.status === 401) throw new InvalidToken(err.message);
    if (err.status === 400) throw new InvalidRequest(err.message);
    // No key to verify with (503): the service's own fault, answered as server_error.
    throw new Error('no signing key to verify access tokens with', { cause: err });
  }
}

/**
 * Whether everything the token stands for is still active, read from storage on every call (one
 * primary-key read each, no cache): deactivating an access key, user, tenant or application, or
 * revoking the session (logout, refresh-token reuse), stops its tokens here at once.
 */
export async function liveUser(
  storage: Storage,
  claims: AccessTokenClaims,
  userId: string,
  now: Date,
): Promise<User | undefined> {
  if (!isUserClaims(claims)) return undefined;
  const [session, app] = await Promise.all([
    storage.sessions.get(claims.sid),
    storage.applications.get(claims.client_id),
  ]);
  if (!session || session.revokedAt !== null || session.expiresAt <= now) return undefined;
  if (session.userId !== userId || session.clientId !== claims.client_id) return undefined;
  if (app?.status !== 'active') return undefined;
  const owner = session.accessKeyId
    ? await storage.accessKeys.getWithOwner(session.accessKeyId)
    : await Promise.all([storage.users.get(userId), storage.tenants.get(session.tenantId)]).then(
        ([user, tenant]) => (user && tenant ? { key: undefined, user, tenant } : undefined),
      );
  if (!owner || (owner.key && owner.key.status !== 'active')) return undefined;
  const { user, tenant } = owner;
  if (user.id !== userId || user.status !== 'active') return undefined;
  // As at the token endpoint, a deactivated tenant ends its users' access at once.
  return tenant.id === user.tenantId && tenant.status === 'active' ? user : undefined;
}
