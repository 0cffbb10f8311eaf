// grant_type=authorization_code: a single-use code, bound to the app, the redirect URI and the PKCE
// challenge, opens a grant session linked to the browser's sign-in. A code presented twice ends
// what its first exchange issued.
import crypto from 'node:crypto';
import type { Session } from '../domain/types.js';
import { consentCovers } from '../interaction/consent-rules.js';
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { verifyCodeVerifier } from '../protocol/pkce.js';
import { hasScope, refuseUnentitledScope } from '../protocol/scope.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { mintRefreshToken } from '../tokens/refresh-token.js';
import { type GrantContext, sessionKeyOf } from './types.js';

export const grantType = 'authorization_code';

/**
 * Nothing: a code is 256 random bits, spent (or refused) at its first use, so a bogus or spent one is
 * not a guess and counts nothing (knowing a public client's id must not let anyone delay it).
 */
export function throttleKeys(_params: FormParams): readonly ThrottleIdentifier[] {
  return [];
}

export const parameters: readonly string[] = ['code', 'redirect_uri', 'code_verifier'];

const INVALID = 'the authorization code is invalid, expired or used';

/**
 * Exchanges an authorization code for tokens.
 * @see RFC 6749 §4.1.3 and §4.1.2 (replay), RFC 7636 §4.5–4.6, OIDC Core §3.1.3
 */
export async function handler(context: GrantContext): Promise<TokenResponse> {
  const { params, client, now, services } = context;
  const { storage, hasher, config, tokens } = services;
  const codeHash = hasher.hash(params['code'] as string);
  const sessionId = crypto.randomUUID();
  const claim = await storage.signIn.claimCode(codeHash, sessionId, now);
  if (claim.outcome === 'replayed') {
    // RFC 6749 §4.1.2: "the authorization server ... SHOULD revoke (when possible) all tokens
    // previously issued based on that authorization code".
    if (claim.code.sessionId !== null) {
      await storage.sessions.revoke(claim.code.sessionId, 'authorization code replayed', now);
    }
    context.log.warn({ clientId: client.clientId }, 'authorization code replayed: its tokens are revoked');
    throw new InvalidGrant(INVALID);
  }
  if (claim.outcome !== 'claimed') throw new InvalidGrant(INVALID);
  const { code } = claim;
  // Bound to its client, redirect URI and PKCE challenge (RFC 6749 §4.1.3, RFC 7636 §4.6).
  if (code.clientId !== client.clientId || code.redirectUri !== params['redirect_uri']) {
    throw new InvalidGrant(INVALID);
  }
  if (!verifyCodeVerifier(params['code_verifier'], code.codeChallenge)) {
    throw new InvalidGrant('the code_verifier does not match the code_challenge');
  }
  // RFC 9449 §10: a code whose request named a DPoP key opens nothing without a proof of that key.
  if (code.dpopJkt && context.dpop?.jkt !== code.dpopJkt) {
    throw new InvalidGrant('the authorization code is bound to another DPoP key');
  }
  const [user, tenant] = await Promise.all([
    storage.users.get(code.userId),
    storage.tenants.get(code.tenantId),
  ]);
  if (user?.status !== 'active' || tenant?.status !== 'active' || user.tenantId !== tenant.id) {
    throw new InvalidGrant(INVALID);
  }
  if (client.tenantId !== null && client.tenantId !== tenant.id) throw new InvalidGrant(INVALID);
  refuseUnentitledScope(code.scope, client, user);
  // RFC 8707 §2.2: the token request may name the resource of the authorization request, no other.
  if (context.resource !== undefined && code.resource !== null && context.resource !== code.resource) {
    throw new OAuthError('invalid_target', 'the resource differs from the authorization request');
  }
  const resource = context.resource ?? code.resource ?? undefined;
  const session: Session = {
    id: sessionId,
    clientId: client.clientId,
    userId: user.id,
    tenantId: tenant.id,
    accessKeyId: null,
    scope: code.scope,
    createdAt: now,
    expiresAt: new Date(now.getTime() + config.tokens.sessionTtl * 1000),
    revokedAt: null,
    revokedReason: null,
    ...sessionKeyOf(context),
  };
  const refresh = mintRefreshToken(hasher, {
    sessionId,
    scope: code.scope,
    now,
    ttl: config.tokens.refreshTokenTtl,
    sessionExpiresAt: session.expiresAt,
  });
  await storage.sessions.create(session, refresh.record);
  await storage.signIn.linkSession({
    sessionId,
    signInId: code.signInId,
    authTime: code.authTime,
    amr: code.amr,
    ...(code.idp ? { idp: code.idp } : {}),
  });
  // A replay that raced this exchange found no session to end yet: end it now.
  if (await storage.signIn.codeReplayed(codeHash)) {
    await storage.sessions.revoke(sessionId, 'authorization code replayed', now);
    throw new InvalidGrant(INVALID);
  }
  // A code dies with its sign-in: after logout (or once the sign-in ended or expired) it opens
  // nothing. Read after the link, so a logout racing this exchange either sees the link and ends the
  // session, or is seen here.
  const signIn = await storage.signIn.signIn(code.signInId);
  if (!signIn || signIn.endedAt !== null || signIn.expiresAt <= now) {
    await storage.sessions.revoke(sessionId, 'sign-in ended', now);
    throw new InvalidGrant(INVALID);
  }
  // And with its consent: a grant withdrawn after the code was issued opens nothing (a first-party
  // app needs none, and costs no read). Read after the session exists, so a withdrawal racing this
  // exchange either ends the session or is seen here.
  if (!(await consentCovers(storage, client, user.id, code.scope))) {
    await storage.sessions.revoke(sessionId, 'consent withdrawn', now);
    throw new InvalidGrant(INVALID);
  }
  return tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'user', user, tenant, sessionId },
    scope: code.scope,
    // A third-party app keeps access while the user is away only if the user allowed it that
    // (`offline_access` on the consent page, OIDC Core §11); a first-party app always may.
    ...(client.firstParty || hasScope(code.scope, 'offline_access') ? { refreshToken: refresh.token } : {}),
    now,
    authTime: code.authTime,
    nonce: code.nonce ?? undefined,
    amr: code.amr,
    idp: code.idp,
  });
}
