// Signing a user in with the authorization code flow and PKCE: the authorization URL (random state,
// nonce and S256 verifier), the callback (state, RFC 9207 iss, error responses, the code exchange,
// the id_token's claims) and the refresh of what it gave. Web Crypto only: no dependency.
import { fetchDiscovery } from './discovery.js';
import { ClientError } from './errors.js';
import { type HttpOptions, httpContext } from './http.js';
import { checkIdToken } from './id-token.js';
import { resolveIssuer } from './issuers.js';
import { type GrantClient, refreshGrant, type TokenResponse, tokenRequest } from './token-endpoint.js';

/** Options of {@link buildAuthorizationUrl}. */
export interface AuthorizationOptions extends HttpOptions {
  /** An issuer URL or a hosted issuer's name. */
  issuer: string;
  clientId: string;
  /** Exactly as registered for the app. */
  redirectUri: string;
  /** Default `openid profile`. */
  scope?: string;
  prompt?: 'none' | 'login';
  loginHint?: string;
  /** Seconds: sign in again when the last sign-in is older. */
  maxAge?: number;
  display?: 'page' | 'popup';
  tenantId?: string;
  /**
   * The API the tokens are for (RFC 8707 §2), an absolute URL: sent with the authorization request
   * and again with the code exchange.
   */
  resource?: string;
}

/**
 * What the callback needs, kept by the app between the redirect and the callback (JSON-safe; store it
 * server-side or in an encrypted cookie: `codeVerifier` is a secret until the code is exchanged).
 */
export interface PendingAuthorization {
  issuer: string;
  clientId: string;
  redirectUri: string;
  tokenEndpoint: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The issuer advertises RFC 9207 (`authorization_response_iss_parameter_supported`): `iss` required. */
  issRequired: boolean;
  /** Seconds since the epoch when the URL was built (for `max_age` checks by the app). */
  createdAt: number;
  /** The `resource` asked for (RFC 8707), sent again with the code exchange. */
  resource?: string;
}

/** What a successful callback gives: the token response and the id_token's claims, checked. */
export interface SignInResult {
  tokens: TokenResponse;
  claims: Record<string, unknown>;
}

/** Options of {@link handleCallback}: the confidential app's secret, and the HTTP settings. */
export interface CallbackOptions extends HttpOptions {
  clientSecret?: string;
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Tolerated clock skew for the id_token's `exp` and `iat`, seconds. Default 60. */
  clockToleranceSec?: number;
  /** Milliseconds since the epoch; injected by tests. Default `Date.now`. */
  now?: () => number;
}

/** A random base64url string of `bytes` random bytes. */
function random(bytes: number): string {
  return base64Url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The S256 challenge of a verifier. @see RFC 7636 §4.2 */
async function s256(verifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/**
 * Builds the authorization request URL of the issuer's `authorization_endpoint` with a fresh
 * `state`, `nonce` and PKCE S256 pair; keep `pending` for {@link handleCallback}.
 *
 * @example
 * const { url, pending } = await buildAuthorizationUrl({ issuer, clientId, redirectUri });
 * @throws {ClientError} `invalid_config`, `discovery_failed` (no authorization_endpoint), `network`, `timeout`
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1, RFC 7636 §4, OpenID Connect Core 1.0 §3.1.2.1
 */
export async function buildAuthorizationUrl(
  options: AuthorizationOptions,
): Promise<{ url: string; pending: PendingAuthorization }> {
  if (!options.clientId || !options.redirectUri) {
    throw new ClientError('invalid_config', 'clientId and redirectUri are required to sign in');
  }
  const issuer = resolveIssuer(options.issuer);
  const doc = await fetchDiscovery(httpContext(options), issuer);
  const endpoint = doc['authorization_endpoint'];
  if (typeof endpoint !== 'string') {
    throw new ClientError('discovery_failed', 'the discovery document has no authorization_endpoint');
  }
  const pending: PendingAuthorization = {
    issuer,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    tokenEndpoint: doc.token_endpoint,
    state: random(16),
    nonce: random(16),
    codeVerifier: random(32),
    issRequired: doc['authorization_response_iss_parameter_supported'] === true,
    createdAt: Math.floor(Date.now() / 1000),
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  };
  const url = new URL(endpoint);
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) url.searchParams.set(name, String(value));
  };
  set('response_type', 'code');
  set('client_id', options.clientId);
  set('redirect_uri', options.redirectUri);
  set('scope', options.scope ?? 'openid profile');
  set('state', pending.state);
  set('nonce', pending.nonce);
  set('code_challenge', await s256(pending.codeVerifier));
  set('code_challenge_method', 'S256');
  set('prompt', options.prompt);
  set('login_hint', options.loginHint);
  set('max_age', options.maxAge);
  set('display', options.display);
  set('tenantId', options.tenantId);
  // RFC 9449 §10: with a shared DPoP key, the code is bound to it.
  if (typeof options.dpop === 'object') set('dpop_jkt', await options.dpop.thumbprint());
  set('resource', options.resource);
  return { url: url.toString(), pending };
}

/** The SDK code of an authorization error response (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
function callbackError(error: string, description: string | null): ClientError {
  const said = `the issuer answered ${error}${description ? `: ${description}` : ''}`;
  const details = { error, ...(description ? { errorDescription: description } : {}) };
  if (error === 'login_required' || error === 'interaction_required' || error === 'consent_required') {
    return new ClientError('login_required', said, details);
  }
  if (error === 'access_denied') return new ClientError('access_denied', said, details);
  return new ClientError('authorization_failed', said, details);
}

/**
 * Handles the redirect back to the app: checks `state` and the RFC 9207 `iss`, turns an error
 * response into a {@link ClientError}, exchanges the code with the PKCE verifier, and checks the
 * id_token's `iss`, `aud`, `nonce`, `exp` and `iat`.
 *
 * @example const { tokens, claims } = await handleCallback(request.url, pending);
 * @throws {ClientError} `invalid_callback`, `state_mismatch`, `issuer_mismatch`, `login_required`,
 *   `access_denied`, `authorization_failed`, `invalid_grant` (code used or expired), `invalid_client`,
 *   `token_request_failed`, `invalid_token_response`, `invalid_id_token`, `network`, `timeout`
 * @see RFC 6749 §4.1.2 and §4.1.3, RFC 9207 §2.4, RFC 7636 §4.5, OpenID Connect Core 1.0 §3.1.3.7
 */
export async function handleCallback(
  callbackUrl: string | URL,
  pending: PendingAuthorization,
  options: CallbackOptions = {},
): Promise<SignInResult> {
  let url: URL;
  try {
    url = new URL(String(callbackUrl));
  } catch (cause) {
    throw new ClientError('invalid_callback', 'the callback URL is not a URL', { cause });
  }
  const q = url.searchParams;
  // RFC 9207 §2.4: the issuer says who answered; another one is a mix-up attack.
  const iss = q.get('iss');
  if (iss !== null && iss !== pending.issuer) {
    throw new ClientError('issuer_mismatch', `the response comes from ${iss}, not ${pending.issuer}`);
  }
  if (q.get('state') !== pending.state) {
    throw new ClientError('state_mismatch', 'the callback state is not the one this sign-in sent');
  }
  const error = q.get('error');
  if (error !== null) throw callbackError(error, q.get('error_description'));
  const code = q.get('code');
  if (!code) throw new ClientError('invalid_callback', 'the callback carries neither code nor error');
  if (iss === null && pending.issRequired) {
    throw new ClientError('issuer_mismatch', 'the response has no iss, which this issuer always sends');
  }
  const client: GrantClient = {
    clientId: pending.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(options.authMethod === undefined ? {} : { authMethod: options.authMethod }),
  };
  const tokens = await tokenRequest(
    httpContext(options),
    pending.tokenEndpoint,
    client,
    [
      ['grant_type', 'authorization_code'],
      ['code', code],
      ['redirect_uri', pending.redirectUri],
      ['code_verifier', pending.codeVerifier],
      // RFC 8707 §2.2: the same resource as the authorization request.
      ...(pending.resource === undefined ? [] : [['resource', pending.resource] as [string, string]]),
    ],
    'the authorization code (used, expired, or not for this verifier)',
  );
  if (typeof tokens.id_token !== 'string') {
    throw new ClientError('invalid_id_token', 'the token response has no id_token (was openid asked?)');
  }
  const nowSec = (options.now ?? Date.now)() / 1000;
  const claims = checkIdToken(tokens.id_token, pending, nowSec, options.clockToleranceSec ?? 60);
  return { tokens, claims };
}

/**
 * Renews a signed-in user's tokens with the refresh token (rotated: keep the new one), for
 * `resource` when given (RFC 8707 §2.2).
 *
 * @throws {ClientError} `invalid_grant` (the session ended), `invalid_client`, `token_request_failed`,
 *   `invalid_token_response`, `discovery_failed`, `network`, `timeout`
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshSignIn(
  options: HttpOptions & GrantClient & { issuer: string; refreshToken: string; resource?: string },
): Promise<TokenResponse> {
  const ctx = httpContext(options);
  const doc = await fetchDiscovery(ctx, resolveIssuer(options.issuer));
  return refreshGrant(ctx, doc.token_endpoint, options, options.refreshToken, options.resource);
}
