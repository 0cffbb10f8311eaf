// Whether an access token still stands: its signature and claims (the key ring's verifier), then
// everything it stands for read from storage on every call, uncached: the session (by `sid`), the
// applications, the access key, the user and the tenant. Userinfo, introspection, token exchange and
// the admin API all ask here (and, for an application's own token, whether its jti was revoked), so
// deactivating any of them, revoking the session, logging out or
// reusing a rotated refresh token stops its tokens at once on every node (docs/endpoints.md).
import {
  type AccessTokenClaims,
  isUserClaims,
  parseSubject,
  TokenError,
  type Verifier,
} from '@cxauth/verify';
import type { Application, Session, Tenant, User } from '../domain/types.js';
import { InvalidRequest, InvalidToken } from '../protocol/errors.js';
import type { Storage } from '../storage/contract/index.js';

/** A user's token whose session, applications, access key, user and tenant are all active. */
export interface LiveUser {
  readonly kind: 'user';
  readonly claims: AccessTokenClaims;
  readonly user: User;
  readonly tenant: Tenant;
  readonly session: Session;
  /** The application the token was issued to (`client_id`). */
  readonly application: Application;
}

/** An application's own token (client credentials) whose application and tenant are active. */
export interface LiveApp {
  readonly kind: 'app';
  readonly claims: AccessTokenClaims;
  readonly tenant: Tenant;
  readonly application: Application;
}

export type LiveToken = LiveUser | LiveApp;

/** One answer for every record that ended, so a caller cannot tell which one did. */
export const ENDED = 'the session of this token has ended';

/**
 * Verifies `token` with this issuer's verifier: the claims, or undefined when the token is not a
 * valid access token of this issuer (bad signature, expired, wrong `typ`, an id_token...). Throws
 * only when no key can verify at all (the service's own fault).
 * @see RFC 9068 §4, RFC 7662 §2.2 ("active": false for any token that is not valid)
 */
export async function verifiedClaims(
  verifier: Pick<Verifier, 'verify'>,
  token: string,
): Promise<{ claims: AccessTokenClaims } | { error: TokenError }> {
  try {
    return { claims: await verifier.verify(token) };
  } catch (err) {
    if (!(err instanceof TokenError) || err.status === 503) {
      throw new Error('no signing key to verify access tokens with', { cause: err });
    }
    return { error: err };
  }
}

/**
 * The verified claims of a bearer token, with the verifier's refusals as this service's RFC 6750
 * errors (userinfo, the admin API).
 * @see RFC 6750 §3.1
 */
export async function bearerClaims(
  verifier: Pick<Verifier, 'verify'>,
  token: string,
): Promise<AccessTokenClaims> {
  const result = await verifiedClaims(verifier, token);
  if ('claims' in result) return result.claims;
  if (result.error.status === 400) throw new InvalidRequest(result.error.message);
  throw new InvalidToken(result.error.message);
}

/** The records behind a live session, or undefined once any has ended. */
export interface LiveSession {
  readonly user: User;
  readonly tenant: Tenant;
  readonly session: Session;
  /** The application the token was issued to. */
  readonly application: Application;
}

/**
 * Whether a session and everything behind it are active: the session itself (not revoked or
 * expired), its application and `clientId`'s (they differ for a token exchanged by another
 * application), its access key, user and tenant. Also what a refresh token stands for.
 */
export async function liveSession(
  storage: Storage,
  session: Session,
  clientId: string,
  now: Date,
): Promise<LiveSession | undefined> {
  if (session.revokedAt !== null || session.expiresAt <= now) return undefined;
  const same = session.clientId === clientId;
  const [sessionApp, other] = await Promise.all([
    storage.applications.get(session.clientId),
    same ? undefined : storage.applications.get(clientId),
  ]);
  const application = same ? sessionApp : other;
  if (sessionApp?.status !== 'active' || application?.status !== 'active') return undefined;
  const owner = session.accessKeyId
    ? await storage.accessKeys.getWithOwner(session.accessKeyId)
    : await Promise.all([storage.users.get(session.userId), storage.tenants.get(session.tenantId)]).then(
        ([user, tenant]) => (user && tenant ? { key: undefined, user, tenant } : undefined),
      );
  if (!owner || (owner.key && owner.key.status !== 'active')) return undefined;
  const { user, tenant } = owner;
  if (user.id !== session.userId || user.status !== 'active') return undefined;
  // As at the token endpoint, a deactivated tenant ends its users' access at once.
  if (tenant.id !== user.tenantId || tenant.status !== 'active') return undefined;
  return { user, tenant, session, application };
}

async function liveUser(storage: Storage, claims: AccessTokenClaims, userId: string, now: Date) {
  if (!isUserClaims(claims)) return undefined;
  const session = await storage.sessions.get(claims.sid);
  if (!session || session.userId !== userId || session.tenantId !== claims.tenantId) return undefined;
  // A token exchanged by another application shares the session but is revoked alone, by its jti
  // (endpoints/revoke.ts): the exchanging app must not end the sign-in of the app it came from.
  if (
    session.clientId !== claims.client_id &&
    (await storage.revocations.isTokenRevoked(claims.jti, new Date(claims.iat * 1000 - 1000)))
  ) {
    return undefined;
  }
  const live = await liveSession(storage, session, claims.client_id, now);
  if (!live) return undefined;
  const user: LiveUser = { kind: 'user', claims, ...live };
  return user;
}

async function liveApp(storage: Storage, claims: AccessTokenClaims, clientId: string) {
  // An application's own token is issued to itself, for its one tenant.
  if (clientId !== claims.client_id) return undefined;
  // Revoked by its application (POST /auth/revoke): it has no session, so by its jti.
  if (await storage.revocations.isTokenRevoked(claims.jti, new Date(claims.iat * 1000 - 1000)))
    return undefined;
  const application = await storage.applications.get(clientId);
  if (application?.status !== 'active' || application.tenantId !== claims.tenantId) return undefined;
  const tenant = await storage.tenants.get(claims.tenantId);
  if (tenant?.status !== 'active') return undefined;
  const live: LiveApp = { kind: 'app', claims, tenant, application };
  return live;
}

/**
 * What a verified access token stands for, when all of it is still active; undefined once anything
 * has ended. One primary-key read per record, never cached.
 */
export async function liveToken(
  storage: Storage,
  claims: AccessTokenClaims,
  now: Date,
): Promise<LiveToken | undefined> {
  const subject = parseSubject(claims.sub);
  if (subject?.kind === 'user') return liveUser(storage, claims, subject.userId, now);
  if (subject?.kind === 'app') return liveApp(storage, claims, subject.clientId);
  return undefined;
}
