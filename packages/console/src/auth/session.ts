// Signing in as the console's public app with @cxauth/client: the authorization code flow with PKCE
// S256, state, nonce and the RFC 9207 `iss` checked (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1), tokens
// for the admin API as a resource (RFC 8707). Tokens live in this module's memory only, never in
// storage; only the pending sign-in (its one-time verifier, state and nonce) crosses the redirect, in
// sessionStorage, and is removed on return. A reload signs in again through the server's sign-in
// session (SSO).
import {
  buildAuthorizationUrl,
  ClientError,
  decodeJwt,
  handleCallback,
  type PendingAuthorization,
  refreshSignIn,
  type TokenResponse,
} from '@cxauth/client';

export const CLIENT_ID = 'cxauth-console';
const BASE = '/console/';
const PENDING = 'cxauth-console.pending';
// Set once the server refused `admin` to this person (invalid_scope): later sign-ins of this tab ask
// without it, and the console shows the self-service pages only. Cleared by "Sign out".
const SELF_ONLY = 'cxauth-console.self-only';
const SCOPE = 'openid profile email offline_access';

export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt: number;
}

export interface Me {
  userId: string;
  tenantId: string;
  email: string;
  scope: string;
}

let tokens: Tokens | undefined;
let refreshTimer: number | undefined;
const listeners = new Set<() => void>();

const origin = () => window.location.origin;
const redirectUri = () => `${origin()}${BASE}callback`;
/**
 * The admin API is its own resource (RFC 8707): the console asks for tokens meant for it at sign-in
 * and at every refresh, with or without the `admin` scope (docs/sign-in.md, "Audiences").
 */
const adminResource = () => `${origin()}/admin/v1`;

/** The console's issuer is the server that serves it. */
const issuer = origin;
// A browser's clock may be off by minutes: the id_token's times are checked with this leeway.
const CLOCK_TOLERANCE_SEC = 300;

const claimsOf = (jwt: string): Record<string, unknown> => decodeJwt(jwt).payload;

/** Who is signed in, from the access token the server issued (it alone verifies it). */
export function me(): Me | undefined {
  if (!tokens) return undefined;
  const c = claimsOf(tokens.accessToken);
  const id = claimsOf(tokens.idToken ?? tokens.accessToken);
  return {
    userId: String(c['sub'] ?? '').replace(/^user:/, ''),
    tenantId: String(c['tenantId'] ?? ''),
    email: String(id['email'] ?? c['email'] ?? ''),
    scope: String(c['scope'] ?? ''),
  };
}

export function accessToken(): string | undefined {
  return tokens?.accessToken;
}

export function onChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function keep(response: TokenResponse): void {
  const expiresIn = Number(response.expires_in ?? 300);
  tokens = {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? tokens?.refreshToken,
    idToken: response.id_token ?? tokens?.idToken,
    expiresAt: Date.now() + expiresIn * 1000,
  };
  window.clearTimeout(refreshTimer);
  // Refreshed a minute before expiry (or halfway, for short lifetimes).
  const lead = Math.min(60, expiresIn / 2) * 1000;
  refreshTimer = window.setTimeout(() => void refresh(), Math.max(expiresIn * 1000 - lead, 1000));
  for (const l of listeners) l();
}

/** Whether this sign-in is without the `admin` scope (the self-service pages only). */
export function selfOnly(): boolean {
  return !me()?.scope.split(' ').includes('admin');
}

/** Uses the refresh token (rotated by the server on every use); signs in again when it is refused. */
export async function refresh(): Promise<void> {
  if (!tokens?.refreshToken) return signIn(window.location.pathname);
  try {
    keep(
      await refreshSignIn({
        issuer: issuer(),
        clientId: CLIENT_ID,
        refreshToken: tokens.refreshToken,
        resource: adminResource(),
      }),
    );
  } catch {
    tokens = undefined;
    await signIn(window.location.pathname);
  }
}

/** Sends the browser to /auth/authorize; `returnTo` is where the console opens afterwards. */
export async function signIn(returnTo: string): Promise<void> {
  const scope = sessionStorage.getItem(SELF_ONLY) ? SCOPE : `${SCOPE} admin`;
  const { url, pending } = await buildAuthorizationUrl({
    issuer: issuer(),
    clientId: CLIENT_ID,
    redirectUri: redirectUri(),
    scope,
    resource: adminResource(),
  });
  const kept: Pending = { pending, returnTo, scope };
  sessionStorage.setItem(PENDING, JSON.stringify(kept));
  window.location.assign(url);
}

/** What crosses the redirect: the client's pending sign-in, where to go after it, the scope asked. */
interface Pending {
  pending: PendingAuthorization;
  returnTo: string;
  scope: string;
}

/**
 * Completes the sign-in on /console/callback; returns where to go next, or undefined when it has
 * started the sign-in again without `admin` (the server refused it to this person: `invalid_scope`).
 */
export async function completeSignIn(query: URLSearchParams): Promise<string | undefined> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const kept = raw ? (JSON.parse(raw) as Pending) : undefined;
  if (!kept?.pending || query.get('state') !== kept.pending.state)
    throw new Error('this sign-in was not started here');
  const returnTo = kept.returnTo && kept.returnTo !== `${BASE}callback` ? kept.returnTo : BASE;
  const asksAdmin = kept.scope.split(' ').includes('admin');
  const callback = new URL(redirectUri());
  callback.search = query.toString();
  try {
    const { tokens: response } = await handleCallback(callback, kept.pending, {
      clockToleranceSec: CLOCK_TOLERANCE_SEC,
    });
    keep(response);
    return returnTo;
  } catch (err) {
    // Not an Administrator or operator (refused at the authorization or the token endpoint): sign
    // in again (at once, through the sign-in session) without it.
    if (err instanceof ClientError && err.error === 'invalid_scope' && asksAdmin) {
      sessionStorage.setItem(SELF_ONLY, '1');
      await signIn(returnTo);
      return undefined;
    }
    if (err instanceof ClientError && err.errorDescription) throw new Error(err.errorDescription);
    throw err;
  }
}

/** Ends the sign-in at the server (every token of it) and comes back to the console's start. */
export function signOut(): void {
  const url = new URL('/auth/authorize/logout', origin());
  const params: Record<string, string> = {
    post_logout_redirect_uri: `${origin()}${BASE}`,
    client_id: CLIENT_ID,
  };
  if (tokens?.idToken) params['id_token_hint'] = tokens.idToken;
  url.search = new URLSearchParams(params).toString();
  tokens = undefined;
  sessionStorage.removeItem(SELF_ONLY);
  window.clearTimeout(refreshTimer);
  window.location.assign(url.toString());
}
