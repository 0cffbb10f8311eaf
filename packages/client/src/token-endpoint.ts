// Requests to the token endpoint (step 4): the password grant with an access key, the refresh grant,
// client authentication, and the mapping of RFC 6749 §5.2 errors to the SDK's codes.
import { jsonObject, oauthError } from './discovery.js';
import { wantsNonce } from './dpop.js';
import { clientPassword, formBody } from './encoding.js';
import { ClientError } from './errors.js';
import { type HttpContext, parseMaybeJson, send } from './http.js';

/** The application's credentials (from its registration). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** `client_secret_basic` (default, the reference's) or `client_secret_post`. */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/**
 * A client as the code flow and refresh see it: a confidential one with its secret, or a public
 * one (a CLI, a native or browser app) that only names itself (RFC 6749 §2.3, `none`).
 */
export interface GrantClient {
  clientId: string;
  clientSecret?: string;
  authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** A user's access key. */
export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

/** A successful token response (RFC 6749 §5.1), as sent, plus what the SDK needs checked. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  issued_token_type?: string;
  scope?: string;
  [name: string]: unknown;
}

/**
 * The access-key grant: `POST token_endpoint` with body exactly
 * `grant_type=password&username={urlencode(accessKeyId)}&password={urlencode(accessKeySecret)}`.
 *
 * @throws {ClientError} `invalid_client` (the application was refused), `invalid_grant` (the access key
 *   was refused), `token_request_failed`, `invalid_token_response`, `network`, `timeout`, `rate_limited`
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export function passwordGrant(
  ctx: HttpContext,
  tokenEndpoint: string,
  client: ClientCredentials,
  key: AccessKey,
  scope?: string,
): Promise<TokenResponse> {
  const pairs: Array<[string, string]> = [
    ['grant_type', 'password'],
    ['username', key.accessKeyId],
    ['password', key.accessKeySecret],
  ];
  if (scope) pairs.push(['scope', scope]);
  return tokenRequest(ctx, tokenEndpoint, client, pairs, 'the access key (accessKeyId/accessKeySecret)');
}

/**
 * The refresh grant. An `invalid_grant` here means the session ended (expired, revoked, or a
 * rotated refresh token was reused); callers fall back to a new password grant.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function refreshGrant(
  ctx: HttpContext,
  tokenEndpoint: string,
  client: GrantClient,
  refreshToken: string,
  resource?: string,
): Promise<TokenResponse> {
  const pairs: Array<[string, string]> = [
    ['grant_type', 'refresh_token'],
    ['refresh_token', refreshToken],
  ];
  // RFC 8707 §2.2: the resource the renewed access token is for.
  if (resource !== undefined) pairs.push(['resource', resource]);
  return tokenRequest(ctx, tokenEndpoint, client, pairs, 'the refresh token (the session ended)');
}

/** One token request with client authentication; errors mapped to the SDK's codes. */
export async function tokenRequest(
  ctx: HttpContext,
  tokenEndpoint: string,
  client: GrantClient,
  pairs: Array<[string, string]>,
  grantSubject: string,
): Promise<TokenResponse> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  authenticate(client, headers, pairs);
  const body = formBody(pairs);
  const { dpop } = ctx;
  for (let attempt = 0; ; attempt++) {
    // RFC 9449 §5: a fresh proof with each request (its jti is accepted once).
    if (dpop) headers['DPoP'] = await dpop.proof('POST', tokenEndpoint);
    const res = await send(ctx, tokenEndpoint, { method: 'POST', headers, body });
    const doc = jsonObject(res.text);
    if (dpop) {
      dpop.learnNonce(tokenEndpoint, res.headers);
      // RFC 9449 §8: the server asked for its nonce; one retry carries it.
      if (attempt === 0 && wantsNonce(res.status, res.headers, doc)) continue;
    }
    if (res.status !== 200) throw refusal(res.status, doc, res.text, grantSubject);
    return validTokenResponse(doc, dpop !== undefined);
  }
}

/** A refused request's ClientError: `invalid_client`, `invalid_grant`, else `token_request_failed`. */
export function refusal(
  status: number,
  doc: Record<string, unknown> | undefined,
  text: string,
  grantSubject: string,
): ClientError {
  const server = oauthError(doc);
  const said = server.error
    ? ` (${server.error}${server.errorDescription ? `: ${server.errorDescription}` : ''})`
    : '';
  const details = { status, ...server, body: parseMaybeJson(text) };
  if (server.error === 'invalid_client' || (status === 401 && !server.error)) {
    return new ClientError(
      'invalid_client',
      `the token endpoint refused the application: check client_id and client_secret${said}`,
      details,
    );
  }
  if (server.error === 'invalid_grant') {
    return new ClientError('invalid_grant', `the token endpoint refused ${grantSubject}${said}`, details);
  }
  return new ClientError('token_request_failed', `the token endpoint answered ${status}${said}`, details);
}

/** Adds the client's authentication to a form request: Basic by default, or the form's fields. */
export function authenticate(
  client: GrantClient,
  headers: Record<string, string>,
  pairs: Array<[string, string]>,
): void {
  if (client.clientSecret === undefined) {
    pairs.push(['client_id', client.clientId]);
  } else if (client.authMethod === 'client_secret_post') {
    pairs.push(['client_id', client.clientId], ['client_secret', client.clientSecret]);
  } else {
    headers['Authorization'] = `Basic ${clientPassword(client.clientId, client.clientSecret)}`;
  }
}

/**
 * Checks a 200 answer is a usable token response (RFC 6749 §5.1): a string `access_token`, a
 * `Bearer` `token_type` (or `DPoP` when a proof was sent, RFC 9449 §5), and a positive `expires_in`
 * when present.
 */
export function validTokenResponse(doc: Record<string, unknown> | undefined, dpop = false): TokenResponse {
  const bad = (why: string) => new ClientError('invalid_token_response', `the token response ${why}`);
  if (!doc) throw bad('is not a JSON object');
  if (typeof doc['access_token'] !== 'string' || doc['access_token'] === '') throw bad('has no access_token');
  const type = typeof doc['token_type'] === 'string' ? doc['token_type'].toLowerCase() : undefined;
  if (type !== 'bearer' && !(dpop && type === 'dpop')) {
    throw bad(`has token_type ${JSON.stringify(doc['token_type'])}, not ${dpop ? 'DPoP or ' : ''}Bearer`);
  }
  const expiresIn = doc['expires_in'];
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !(expiresIn > 0))) {
    throw bad('has an expires_in that is not a positive number');
  }
  if (doc['refresh_token'] !== undefined && typeof doc['refresh_token'] !== 'string') {
    throw bad('has a refresh_token that is not a string');
  }
  return doc as TokenResponse;
}
