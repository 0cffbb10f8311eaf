// grant_type=authorization_code: a single-use code, bound to the app, the redirect URI and the PKCE
// challenge, opens a grant session linked to the browser's sign-in. A code presented twice ends
// what its first exchange issued.
import crypto from 'node:crypto';
import { InvalidGrant } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { verifyCodeVerifier } from '../protocol/pkce.js';
import { hasScope } from '../protocol/scope.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { openSignedInSession } from './signed-in.js';
import type { GrantContext } from './types.js';

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
  const { storage, hasher, tokens } = services;
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
  const opened = await openSignedInSession(context, code, {
    sessionId,
    invalid: INVALID,
    what: 'authorization request',
  });
  // A replay that raced this exchange found no session to end yet: end it now.
  if (await storage.signIn.codeReplayed(codeHash)) {
    await storage.sessions.revoke(sessionId, 'authorization code replayed', now);
    throw new InvalidGrant(INVALID);
  }
  const { user, tenant, resource } = opened;
  return tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'user', user, tenant, sessionId },
    scope: code.scope,
    // A third-party app keeps access while the user is away only if the user allowed it that
    // (`offline_access` on the consent page, OIDC Core §11); a first-party app always may.
    ...(client.firstParty || hasScope(code.scope, 'offline_access')
      ? { refreshToken: opened.refreshToken }
      : {}),
    now,
    authTime: code.authTime,
    nonce: code.nonce ?? undefined,
    amr: code.amr,
    idp: code.idp,
  });
}
