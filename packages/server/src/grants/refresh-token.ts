// grant_type=refresh_token: rotation on every use, replay detection that ends the session, scope that
// can only narrow, and the access key, user and tenant checked again on every refresh.
import { mustVerifyEmail, UNVERIFIED_EMAIL } from '../domain/email-verification.js';
import { InvalidGrant } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { parseScope, refuseUnentitledScope } from '../protocol/scope.js';
import type { AccessKeyOwner } from '../storage/contract/index.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { mintRefreshToken } from '../tokens/refresh-token.js';
import type { GrantContext } from './types.js';

export const grantType = 'refresh_token' as const;

export const parameters: readonly string[] = ['refresh_token'];

/**
 * Nothing: a refresh token has 256 random bits, so a spent, expired or revoked one is not a guess and
 * counts nothing (a client racing its own refreshes must not delay itself); only a wrong client
 * secret counts, against the client from that address.
 */
export function throttleKeys(_params: FormParams): readonly ThrottleIdentifier[] {
  return [];
}

const INVALID = 'the refresh token is invalid, expired or revoked';

/** The key, user and tenant behind a session, when all of them are still active. */
async function activeOwner(
  { services, lookups }: GrantContext,
  session: { userId: string; tenantId: string; accessKeyId: string | null },
): Promise<Omit<AccessKeyOwner, 'key'> | undefined> {
  const { storage } = services;
  if (session.accessKeyId !== null) {
    const owner = await lookups.accessKeyOwner(session.accessKeyId);
    if (owner?.key.status !== 'active') return undefined;
    return owner.user.status === 'active' && owner.tenant.status === 'active' ? owner : undefined;
  }
  const [user, tenant] = await Promise.all([
    storage.users.get(session.userId),
    storage.tenants.get(session.tenantId),
  ]);
  return user?.status === 'active' && tenant?.status === 'active' ? { user, tenant } : undefined;
}

/**
 * Exchanges a refresh token for new tokens and a new refresh token; the presented one is spent.
 * @see RFC 6749 §6, RFC 9700 §4.14.2 (rotation and reuse detection)
 */
export async function handler(context: GrantContext): Promise<TokenResponse> {
  const { params, client, now, services } = context;
  const { storage, hasher, config, tokens } = services;
  const presentedHash = hasher.hash(params['refresh_token'] as string);
  const found = await storage.sessions.findRefreshToken(presentedHash);
  // A refresh token is bound to the client it was issued to (RFC 6749 §10.4).
  if (!found || found.session.clientId !== client.clientId) throw new InvalidGrant(INVALID);
  const { token, session } = found;
  // RFC 9449 §5: a bound refresh token is refused without a proof of its key, before it is spent, so
  // a stolen one costs its owner nothing.
  if (session.dpopJkt && context.dpop?.jkt !== session.dpopJkt) {
    throw new InvalidGrant('the refresh token is bound to a DPoP key: send a proof of that key');
  }
  // Nor does a public client's unbound refresh token start DPoP: its next refresh token would stay
  // unbound beside bound access tokens, which RFC 9449 §5 forbids, and whoever presented it first
  // would own the key. Refused before it is spent; without a proof it refreshes as before.
  if (!session.dpopJkt && context.dpop && client.type === 'public') {
    throw new InvalidGrant(
      'the refresh token is not bound to a DPoP key: refresh it without a proof, or sign in with DPoP',
    );
  }
  let scope = token.scope;
  let owner: Omit<AccessKeyOwner, 'key'> | undefined;
  // The retry of a token used moments ago may be answered once (the grace period, off by default);
  // rotate() decides atomically whether this one is that retry.
  const graceMs = config.tokens.refreshReuseGrace * 1000;
  const retry = token.usedAt !== null && now.getTime() - token.usedAt.getTime() < graceMs;
  if (token.usedAt === null || retry) {
    if (session.revokedAt !== null || session.expiresAt <= now || token.expiresAt <= now) {
      throw new InvalidGrant(INVALID);
    }
    // Any scope asked for must already be granted: a refresh narrows, never widens (RFC 6749 §6).
    scope = parseScope(params['scope'] ?? token.scope, token.scope.split(' '));
    owner = await activeOwner(context, session);
    if (!owner || (client.tenantId !== null && client.tenantId !== owner.tenant.id)) {
      await storage.sessions.revoke(session.id, 'access key, user or tenant no longer active', now);
      throw new InvalidGrant(INVALID);
    }
    // A user who lost the role since the sign-in keeps the session but not the admin scope.
    refuseUnentitledScope(scope, client, owner.user);
    // Nor is a session refreshed while its tenant requires a verified address its user has not shown.
    if (mustVerifyEmail(owner.user, owner.tenant)) throw new InvalidGrant(UNVERIFIED_EMAIL);
  }
  // The new refresh token keeps the presented one's scope; only this access token is narrowed
  // (RFC 6749 §6: "the refresh token scope MUST be identical").
  const next = mintRefreshToken(hasher, {
    sessionId: session.id,
    scope: token.scope,
    now,
    ttl: config.tokens.refreshTokenTtl,
    sessionExpiresAt: session.expiresAt,
  });
  // Also the path of a used token: rotate() sees the replay and revokes the whole session.
  const result = await storage.sessions.rotate(presentedHash, next.record, now, graceMs);
  if (result.outcome === 'reused') {
    context.log.warn({ sessionId: session.id }, 'refresh token reused: session revoked');
    services.audit.record({
      type: 'refresh_token.reused',
      actor: `client:${client.clientId}`,
      subject: `session:${session.id}`,
      tenantId: session.tenantId,
      details: { userId: session.userId, clientId: client.clientId, sessionRevoked: true },
    });
  } else if (result.outcome === 'rotated' && result.grace) {
    context.log.info({ sessionId: session.id }, 'refresh token retried within the grace period');
  }
  if (result.outcome !== 'rotated' || !owner) throw new InvalidGrant(INVALID);
  // A session opened by a sign-in keeps that sign-in's auth_time and amr (OIDC Core §12.2), read
  // with the token (the link never changes once the session is open).
  const signIn = found.signIn;
  return tokens.issue({
    resource: context.resource,
    clientId: client.clientId,
    // The session goes on: every token it issues carries the same sid.
    subject: { kind: 'user', user: owner.user, tenant: owner.tenant, sessionId: session.id },
    scope,
    refreshToken: next.token,
    now,
    authTime: signIn?.authTime ?? session.createdAt,
    amr: signIn?.amr,
    idp: signIn?.idp,
  });
}
