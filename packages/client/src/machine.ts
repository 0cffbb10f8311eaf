// The machine side of the token endpoint, without an access key: an application's own token
// (client_credentials), token exchange (RFC 8693), revocation (RFC 7009) and introspection
// (RFC 7662). Each discovers the issuer's endpoints first.
import { type DiscoveryDocument, fetchDiscovery, jsonObject, oauthError } from './discovery.js';
import { formBody } from './encoding.js';
import { ClientError } from './errors.js';
import { type HttpOptions, httpContext, send } from './http.js';
import { resolveIssuer } from './issuers.js';
import {
  authenticate,
  type ClientCredentials,
  refusal,
  type TokenResponse,
  tokenRequest,
} from './token-endpoint.js';

/** Who calls: the issuer (URL or hosted name) and the application's credentials. */
export interface MachineOptions extends ClientCredentials, HttpOptions {
  issuer: string;
}

/** RFC 8693 token type of an access token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** What introspection says of a token (RFC 7662 §2.2); only `active` when it is not. */
export interface IntrospectionResponse {
  active: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  exp?: number;
  iat?: number;
  sid?: string;
  tenantId?: string;
  [name: string]: unknown;
}

async function endpoints(options: MachineOptions) {
  const ctx = httpContext(options);
  return { ctx, doc: await fetchDiscovery(ctx, resolveIssuer(options.issuer)) };
}

function endpoint(doc: DiscoveryDocument, name: 'revocation_endpoint' | 'introspection_endpoint'): string {
  const url = doc[name];
  if (typeof url !== 'string') {
    throw new ClientError('discovery_failed', `the discovery document has no ${name}`);
  }
  return url;
}

/**
 * An access token for the application itself (`sub: app:<client_id>`): no access key, no refresh
 * token. The application must be a backend bound to one tenant.
 *
 * @example const { access_token } = await clientCredentials({ issuer, clientId, clientSecret });
 * @throws {ClientError} `invalid_client`, `token_request_failed` (e.g. `unauthorized_client`),
 *   `invalid_token_response`, `discovery_failed`, `network`, `timeout`, `rate_limited`
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export async function clientCredentials(
  options: MachineOptions & { scope?: string },
): Promise<TokenResponse> {
  const { ctx, doc } = await endpoints(options);
  const pairs: Array<[string, string]> = [['grant_type', 'client_credentials']];
  if (options.scope) pairs.push(['scope', options.scope]);
  return tokenRequest(ctx, doc.token_endpoint, options, pairs, 'the client credentials');
}

/**
 * Exchanges a user's access token (issued to another application) for one issued to this
 * application, for the same user.
 *
 * @example const { access_token } = await exchangeToken({ issuer, clientId, clientSecret, subjectToken });
 * @throws {ClientError} `invalid_client`, `token_request_failed` (the subject token was refused:
 *   `invalid_request`; `invalid_target`; `unauthorized_client`), `invalid_token_response`,
 *   `discovery_failed`, `network`, `timeout`, `rate_limited`
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export async function exchangeToken(
  options: MachineOptions & { subjectToken: string; scope?: string; audience?: string },
): Promise<TokenResponse> {
  const { ctx, doc } = await endpoints(options);
  const pairs: Array<[string, string]> = [
    ['grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    ['subject_token', options.subjectToken],
    ['subject_token_type', ACCESS_TOKEN_TYPE],
  ];
  if (options.scope) pairs.push(['scope', options.scope]);
  if (options.audience) pairs.push(['audience', options.audience]);
  return tokenRequest(ctx, doc.token_endpoint, options, pairs, 'the subject token');
}

/** A token posted to the revocation or the introspection endpoint, with its optional type hint. */
type TokenPost = MachineOptions & { token: string; tokenTypeHint?: 'access_token' | 'refresh_token' };

const ENDPOINTS = {
  revocation_endpoint: { failed: 'revocation_failed', name: 'revocation' },
  introspection_endpoint: { failed: 'introspection_failed', name: 'introspection' },
} as const;

/**
 * A refused post to `at`: the application refused (`invalid_client`, as at the token endpoint), or
 * the endpoint's failure with what the server said.
 */
function refused(
  at: keyof typeof ENDPOINTS,
  res: { status: number; text: string },
  doc: Record<string, unknown> | undefined,
): ClientError {
  const err = refusal(res.status, doc, res.text, 'the token');
  if (err.code === 'invalid_client') return err;
  const server = oauthError(doc);
  const said = server.error ? ` (${server.error})` : '';
  return new ClientError(
    ENDPOINTS[at].failed,
    `the ${ENDPOINTS[at].name} endpoint answered ${res.status}${said}`,
    {
      status: res.status,
      ...server,
    },
  );
}

async function post(options: TokenPost, name: keyof typeof ENDPOINTS) {
  const pairs: Array<[string, string]> = [['token', options.token]];
  if (options.tokenTypeHint) pairs.push(['token_type_hint', options.tokenTypeHint]);
  const { ctx, doc } = await endpoints(options);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  authenticate(options, headers, pairs);
  return send(ctx, endpoint(doc, name), { method: 'POST', headers, body: formBody(pairs) });
}

/**
 * Revokes a refresh token or an access token of this application, ending its session. Resolves
 * also when the server knew nothing of the token (RFC 7009 §2.2).
 *
 * @example await revoke({ issuer, clientId, clientSecret, token: refreshToken });
 * @throws {ClientError} `invalid_client`, `revocation_failed`, `discovery_failed`, `network`, `timeout`
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revoke(options: TokenPost): Promise<void> {
  const res = await post(options, 'revocation_endpoint');
  if (res.status !== 200) throw refused('revocation_endpoint', res, jsonObject(res.text));
}

/**
 * Asks whether a token is active and what it carries.
 *
 * @example const { active, sub } = await introspect({ issuer, clientId, clientSecret, token });
 * @throws {ClientError} `invalid_client`, `introspection_failed`, `discovery_failed`, `network`, `timeout`
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export async function introspect(options: TokenPost): Promise<IntrospectionResponse> {
  const res = await post(options, 'introspection_endpoint');
  const doc = jsonObject(res.text);
  if (res.status !== 200) throw refused('introspection_endpoint', res, doc);
  if (!doc || typeof doc['active'] !== 'boolean') {
    throw new ClientError('introspection_failed', 'the introspection answer has no boolean "active"', {
      status: res.status,
    });
  }
  return doc as IntrospectionResponse;
}
