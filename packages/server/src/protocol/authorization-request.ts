// Reading an authorization request (RFC 6749 §4.1.1; no HTTP framework): who asks (an active app and
// one of its registered redirect URIs, or else no redirect at all), then every other parameter, whose
// errors go back to the app by redirect.
import type { Application } from '../domain/types.js';
import { OAuthError, type OAuthErrorCode } from './errors.js';
import { hasControlChar } from './params.js';
import { checkResource, type Resources } from './resource.js';
import { parseScope } from './scope.js';

/**
 * An error of the authorization endpoint answered by redirect to the app's registered redirect URI
 * (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6): an {@link OAuthError} whose code and description go in
 * the redirect's query, never in a response body.
 */
export class AuthorizeError extends OAuthError {
  override readonly name: string = 'AuthorizeError';
  constructor(error: OAuthErrorCode, description: string) {
    super(error, description);
  }
}

/**
 * An error that must not redirect (no valid client or redirect URI yet): shown as a page, never sent
 * to an unverified URI (RFC 6749 §4.1.2.1, §10.15 open redirectors). `invalid_request` in the
 * hierarchy, so one that escaped the endpoint would still be a 400, not a fault.
 */
export class AuthorizePageError extends OAuthError {
  override readonly name: string = 'AuthorizePageError';
  constructor(description: string) {
    super('invalid_request', description);
  }
}

/** A validated authorization request: what the sign-in carries until the code is issued. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state?: string | undefined;
  readonly nonce?: string | undefined;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly prompt?: 'none' | 'login' | undefined;
  /** `prompt=consent`: ask for consent again even when it was given (OIDC Core §3.1.2.1). */
  readonly consent?: boolean | undefined;
  /** RFC 8707 `resource`, checked for the app: the access token's audience. */
  readonly resource?: string | undefined;
  readonly maxAge?: number | undefined;
  readonly loginHint?: string | undefined;
  /** `idp_hint`: the identity provider to sign in with, skipping the e-mail question (docs/sso.md). */
  readonly idpHint?: string | undefined;
  readonly display: 'page' | 'popup';
  readonly tenantId?: string | undefined;
  /**
   * Set on the sign-in of an RFC 8628 device authorization (interaction/device-verify.ts): the request
   * it approves. Such a sign-in ends at the device's confirmation page, never in a redirect.
   */
  readonly deviceAuthorizationId?: string | undefined;
  /** RFC 9449 §10 `dpop_jkt`: the DPoP key the code is bound to (its RFC 7638 thumbprint). */
  readonly dpopJkt?: string | undefined;
}

/** The request's parameters: a query or a form, each given once. */
export type RawParams = Readonly<Record<string, unknown>>;

const MAX_PARAM = 2048;

/** One parameter's value: absent, or one string without control characters. */
function one(params: RawParams, name: string, page = false): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  const fail = (why: string) => {
    throw page ? new AuthorizePageError(why) : new AuthorizeError('invalid_request', why);
  };
  if (typeof value !== 'string') return fail(`${name} is given more than once`);
  if (value.length > MAX_PARAM || hasControlChar(value)) return fail(`${name} is malformed`);
  return value;
}

/**
 * The app and redirect URI of a request, checked first: an unknown or inactive client, or a redirect
 * URI not registered for it (compared exactly, RFC 9700 §4.1.3), is never redirected to.
 */
export async function requestClient(
  params: RawParams,
  getApplication: (clientId: string) => Promise<Application | undefined>,
): Promise<{ app: Application; redirectUri: string }> {
  const clientId = one(params, 'client_id', true);
  if (clientId === undefined) throw new AuthorizePageError('The request names no application (client_id).');
  const app = await getApplication(clientId);
  if (app?.status !== 'active') throw new AuthorizePageError('The application is unknown.');
  const redirectUri = one(params, 'redirect_uri', true);
  if (redirectUri === undefined) throw new AuthorizePageError('The request has no redirect_uri.');
  if (!isRegistered(app.redirectUris, redirectUri)) {
    throw new AuthorizePageError('The redirect_uri is not registered for this application.');
  }
  // Registered URIs are checked at registration; a loopback one with another port must parse too.
  if (!URL.canParse(redirectUri)) throw new AuthorizePageError('The redirect_uri is malformed.');
  return { app, redirectUri };
}

/** A loopback IP literal over http: its port is the native app's to choose (RFC 8252 §7.3). */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(\/.*)?$/;

/**
 * Exact string comparison (RFC 9700 §4.1.3), except that a registered loopback redirect URI matches
 * the same URI with any port (RFC 8252 §7.3).
 */
export function isRegistered(registered: readonly string[], uri: string): boolean {
  if (registered.includes(uri)) return true;
  const m = LOOPBACK.exec(uri);
  if (!m) return false;
  // A port is 0–65535 (RFC 3986 §3.2.3 says digits; the URL parser refuses more than 16 bits).
  if (m[2] !== undefined && Number(m[2]) > 65535) return false;
  const withoutPort = `http://${m[1]}${m[3] ?? ''}`;
  return registered.includes(withoutPort);
}

const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * The rest of the request, for an app and redirect URI already checked.
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3 (PKCE), OIDC Core §3.1.2.1
 */
export function readRequest(
  params: RawParams,
  app: Application,
  redirectUri: string,
  allowedScopes?: readonly string[],
  resources?: Resources,
): AuthorizationRequest {
  for (const name of ['request', 'request_uri'] as const) {
    if (params[name] !== undefined) {
      throw new AuthorizeError(`${name}_not_supported`, `the ${name} parameter is not supported`);
    }
  }
  const responseType = one(params, 'response_type');
  if (responseType === undefined) throw new AuthorizeError('invalid_request', 'response_type is required');
  if (responseType !== 'code') {
    throw new AuthorizeError('unsupported_response_type', 'only response_type=code is supported');
  }
  const responseMode = one(params, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    throw new AuthorizeError('invalid_request', 'only response_mode=query is supported');
  }
  const codeChallenge = one(params, 'code_challenge');
  const method = one(params, 'code_challenge_method');
  // PKCE is required of every app, confidential ones too (RFC 9700 §2.1.1), and only S256 is offered.
  if (codeChallenge === undefined)
    throw new AuthorizeError('invalid_request', 'code_challenge is required (PKCE)');
  if (method !== 'S256') {
    throw new AuthorizeError('invalid_request', 'code_challenge_method must be S256');
  }
  if (!CHALLENGE.test(codeChallenge))
    throw new AuthorizeError('invalid_request', 'code_challenge is malformed');
  let scope: string;
  try {
    scope = parseScope(one(params, 'scope'), allowedScopes);
  } catch (err) {
    throw new AuthorizeError('invalid_scope', (err as Error).message);
  }
  // OIDC Core §3.1.2.1: a space-delimited list; `none` only alone.
  const prompts = new Set((one(params, 'prompt') ?? '').split(' ').filter((p) => p !== ''));
  for (const p of prompts) {
    if (p !== 'none' && p !== 'login' && p !== 'consent') {
      throw new AuthorizeError('invalid_request', 'prompt must be none, login or consent');
    }
  }
  if (prompts.has('none') && prompts.size > 1) {
    throw new AuthorizeError('invalid_request', 'prompt=none cannot be combined with other values');
  }
  const prompt = prompts.has('none') ? 'none' : prompts.has('login') ? 'login' : undefined;
  let resource: string | undefined;
  try {
    resource = resources ? checkResource(one(params, 'resource'), resources, app) : undefined;
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    throw new AuthorizeError(err.error, err.description);
  }
  const maxAgeText = one(params, 'max_age');
  if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)) {
    throw new AuthorizeError('invalid_request', 'max_age must be a number of seconds');
  }
  const display = one(params, 'display') ?? 'page';
  if (display !== 'page' && display !== 'popup') {
    throw new AuthorizeError('invalid_request', 'display must be page or popup');
  }
  const dpopJkt = one(params, 'dpop_jkt');
  // A SHA-256 thumbprint, base64url (RFC 7638 §3.1): 43 characters.
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) {
    throw new AuthorizeError('invalid_request', 'dpop_jkt must be a JWK SHA-256 thumbprint');
  }
  const tenantId = one(params, 'tenantId');
  if (tenantId !== undefined && app.tenantId !== null && tenantId !== app.tenantId) {
    throw new AuthorizeError('invalid_request', 'this application serves another tenant');
  }
  return {
    clientId: app.clientId,
    redirectUri,
    state: one(params, 'state'),
    nonce: one(params, 'nonce'),
    scope,
    codeChallenge,
    prompt,
    consent: prompts.has('consent'),
    resource,
    maxAge: maxAgeText === undefined ? undefined : Number(maxAgeText),
    loginHint: one(params, 'login_hint'),
    idpHint: one(params, 'idp_hint'),
    display,
    tenantId: tenantId ?? app.tenantId ?? undefined,
    ...(dpopJkt === undefined ? {} : { dpopJkt }),
  };
}

/**
 * The redirect back to the app: `code` or `error`, with `state` and `iss` (RFC 9207 §2, against
 * mix-up attacks). Parameters the redirect URI already has are kept (RFC 6749 §3.1.2).
 */
export function redirectTo(
  redirectUri: string,
  issuer: string,
  values: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  url.searchParams.append('iss', issuer);
  return url.toString();
}
