// Signing in as the console's public app: the authorization code flow with PKCE S256, state and nonce
// (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1). Tokens live in this module's memory only, never in
// storage; only the one-time verifier, state and nonce cross the redirect, in sessionStorage, and are
// removed on return. A reload signs in again through the server's sign-in session (SSO).

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

function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(): string {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

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

function keep(response: Record<string, unknown>): void {
  const expiresIn = Number(response['expires_in'] ?? 300);
  tokens = {
    accessToken: String(response['access_token']),
    refreshToken:
      typeof response['refresh_token'] === 'string' ? response['refresh_token'] : tokens?.refreshToken,
    idToken: typeof response['id_token'] === 'string' ? response['id_token'] : tokens?.idToken,
    expiresAt: Date.now() + expiresIn * 1000,
  };
  window.clearTimeout(refreshTimer);
  // Refreshed a minute before expiry (or halfway, for short lifetimes).
  const lead = Math.min(60, expiresIn / 2) * 1000;
  refreshTimer = window.setTimeout(() => void refresh(), Math.max(expiresIn * 1000 - lead, 1000));
  for (const l of listeners) l();
}

/** A refusal of the token endpoint, with its OAuth error code (RFC 6749 §5.2). */
class TokenError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether this sign-in is without the `admin` scope (the self-service pages only). */
export function selfOnly(): boolean {
  return !me()?.scope.split(' ').includes('admin');
}

async function tokenRequest(form: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch('/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    throw new TokenError(
      String(body['error'] ?? ''),
      String(body['error_description'] ?? body['error'] ?? `token request failed (${res.status})`),
    );
  }
  return body;
}

/** Uses the refresh token (rotated by the server on every use); signs in again when it is refused. */
export async function refresh(): Promise<void> {
  if (!tokens?.refreshToken) return signIn(window.location.pathname);
  try {
    keep(
      await tokenRequest({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
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
  const verifier = random();
  const state = random();
  const nonce = random();
  const scope = sessionStorage.getItem(SELF_ONLY) ? SCOPE : `${SCOPE} admin`;
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo, scope }));
  const url = new URL('/auth/authorize', origin());
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope,
    state,
    nonce,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    resource: adminResource(),
  }).toString();
  window.location.assign(url.toString());
}

/**
 * Completes the sign-in on /console/callback; returns where to go next, or undefined when it has
 * started the sign-in again without `admin` (the server refused it to this person: `invalid_scope`).
 */
export async function completeSignIn(query: URLSearchParams): Promise<string | undefined> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
  if (!pending || query.get('state') !== pending['state'])
    throw new Error('this sign-in was not started here');
  const returnTo =
    pending['returnTo'] && pending['returnTo'] !== `${BASE}callback` ? pending['returnTo'] : BASE;
  const withoutAdmin = async () => {
    sessionStorage.setItem(SELF_ONLY, '1');
    await signIn(returnTo);
    return undefined;
  };
  const asksAdmin = (pending['scope'] ?? '').split(' ').includes('admin');
  if (query.get('error') === 'invalid_scope' && asksAdmin) return withoutAdmin();
  if (query.get('error'))
    throw new Error(query.get('error_description') ?? query.get('error') ?? 'sign-in failed');
  let response: Record<string, unknown>;
  try {
    response = await tokenRequest({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: redirectUri(),
      code_verifier: pending['verifier'] ?? '',
    });
  } catch (err) {
    // Not an Administrator or operator: sign in again (at once, through the sign-in session) without it.
    if (err instanceof TokenError && err.code === 'invalid_scope' && asksAdmin) return withoutAdmin();
    throw err;
  }
  const idToken = typeof response['id_token'] === 'string' ? response['id_token'] : undefined;
  if (idToken && claimsOf(idToken)['nonce'] !== pending['nonce'])
    throw new Error('the sign-in answer was not for this request');
  keep(response);
  return returnTo;
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
