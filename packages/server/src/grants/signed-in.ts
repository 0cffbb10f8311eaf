// What the authorization_code and device_code grants share: each hands the token endpoint what a
// person's browser sign-in granted (user, tenant, scope, resource, the sign-in itself), and each opens a
// session linked to that sign-in, which dies with it (logout) and with the consent it stood on.
import { mustVerifyEmail, UNVERIFIED_EMAIL } from '../domain/email-verification.js';
import type { AuthMethod } from '../domain/sign-in.js';
import type { Session, Tenant, User } from '../domain/types.js';
import { consentCovers } from '../interaction/consent-rules.js';
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import { refuseUnentitledScope } from '../protocol/scope.js';
import { mintRefreshToken } from '../tokens/refresh-token.js';
import { type GrantContext, sessionKeyOf } from './types.js';

/** What a browser sign-in granted: a code, or a device authorization approved at the verification page. */
export interface SignedInGrant {
  readonly userId: string;
  readonly tenantId: string;
  readonly scope: string;
  /** The resource of the authorization request (RFC 8707), if it named one. */
  readonly resource: string | null;
  readonly signInId: string;
  readonly authTime: Date;
  readonly amr: AuthMethod[];
  /** The identity provider of a federated sign-in (docs/sso.md). */
  readonly idp?: string | null | undefined;
}

export interface OpenedSession {
  readonly user: User;
  readonly tenant: Tenant;
  /** The token request's resource, else the authorization request's. */
  readonly resource: string | undefined;
  readonly sessionId: string;
  readonly refreshToken: string;
}

/**
 * Opens the grant's session, linked to its sign-in: the user and tenant still active and of one
 * another, the client's tenant boundary, the scope the user is entitled to, the resource of the
 * authorization request (RFC 8707 §2.2); then, read after the link so that a logout or a withdrawal
 * racing this request either sees the session and ends it or is seen here, the sign-in still open and
 * its user's, and the consent still covering the scope (a first-party app needs none, and costs no read).
 *
 * @param invalid the grant's one description of an unusable grant
 * @throws {InvalidGrant} any of those fails (a session already made is revoked first)
 */
export async function openSignedInSession(
  context: GrantContext,
  grant: SignedInGrant,
  o: { sessionId: string; invalid: string; what: string },
): Promise<OpenedSession> {
  const { client, now, services } = context;
  const { storage, hasher, config } = services;
  const [user, tenant] = await Promise.all([
    storage.users.get(grant.userId),
    storage.tenants.get(grant.tenantId),
  ]);
  if (user?.status !== 'active' || tenant?.status !== 'active' || user.tenantId !== tenant.id) {
    throw new InvalidGrant(o.invalid);
  }
  // A tenant that requires verified addresses issues nothing to a user who has not verified theirs.
  if (mustVerifyEmail(user, tenant)) throw new InvalidGrant(UNVERIFIED_EMAIL);
  // The tenant boundary, checked again here: a single-tenant app serves its own tenant's users only.
  if (client.tenantId !== null && client.tenantId !== tenant.id) throw new InvalidGrant(o.invalid);
  refuseUnentitledScope(grant.scope, client, user);
  if (context.resource !== undefined && grant.resource !== null && context.resource !== grant.resource) {
    throw new OAuthError('invalid_target', `the resource differs from the ${o.what}`);
  }
  const { sessionId } = o;
  const session: Session = {
    id: sessionId,
    clientId: client.clientId,
    userId: user.id,
    tenantId: tenant.id,
    accessKeyId: null,
    scope: grant.scope,
    createdAt: now,
    expiresAt: new Date(now.getTime() + config.tokens.sessionTtl * 1000),
    revokedAt: null,
    revokedReason: null,
    ...sessionKeyOf(context),
  };
  const refresh = mintRefreshToken(hasher, {
    sessionId,
    scope: grant.scope,
    now,
    ttl: config.tokens.refreshTokenTtl,
    sessionExpiresAt: session.expiresAt,
  });
  await storage.sessions.create(session, refresh.record);
  await storage.signIn.linkSession({
    sessionId,
    signInId: grant.signInId,
    authTime: grant.authTime,
    amr: grant.amr,
    ...(grant.idp ? { idp: grant.idp } : {}),
  });
  const signIn = await storage.signIn.signIn(grant.signInId);
  if (!signIn || signIn.endedAt !== null || signIn.expiresAt <= now || signIn.userId !== user.id) {
    await storage.sessions.revoke(sessionId, 'sign-in ended', now);
    throw new InvalidGrant(o.invalid);
  }
  if (!(await consentCovers(storage, client, user.id, grant.scope))) {
    await storage.sessions.revoke(sessionId, 'consent withdrawn', now);
    throw new InvalidGrant(o.invalid);
  }
  return {
    user,
    tenant,
    resource: context.resource ?? grant.resource ?? undefined,
    sessionId,
    refreshToken: refresh.token,
  };
}
