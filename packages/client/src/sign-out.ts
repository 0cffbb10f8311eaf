// Ending a signed-in user's session from the app: the refresh token revoked at the revocation
// endpoint (RFC 7009), for a public app too (it names itself with client_id), which ends the grant
// session and every access token of it. The browser's sign-in ends at end_session_endpoint instead.
import { fetchDiscovery, jsonObject } from './discovery.js';
import { formBody } from './encoding.js';
import { ClientError } from './errors.js';
import { type HttpOptions, httpContext, send } from './http.js';
import { resolveIssuer } from './issuers.js';
import { authenticate, type GrantClient, refusal } from './token-endpoint.js';

/**
 * Revokes a signed-in user's refresh token (its session ends; resolves also when the server did not
 * know the token, RFC 7009 §2.2).
 *
 * @example await signOut({ issuer, clientId, token: tokens.refresh_token });
 * @throws {ClientError} `invalid_client`, `revocation_failed`, `discovery_failed`, `network`, `timeout`
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function signOut(
  options: HttpOptions & GrantClient & { issuer: string; token: string },
): Promise<void> {
  const ctx = httpContext(options);
  const doc = await fetchDiscovery(ctx, resolveIssuer(options.issuer));
  const endpoint = doc['revocation_endpoint'];
  if (typeof endpoint !== 'string') {
    throw new ClientError('discovery_failed', 'the discovery document has no revocation_endpoint');
  }
  const pairs: Array<[string, string]> = [
    ['token', options.token],
    ['token_type_hint', 'refresh_token'],
  ];
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  authenticate(options, headers, pairs);
  const res = await send(ctx, endpoint, { method: 'POST', headers, body: formBody(pairs) });
  if (res.status === 200) return;
  const err = refusal(res.status, jsonObject(res.text), res.text, 'the token');
  if (err.code === 'invalid_client') throw err;
  throw new ClientError('revocation_failed', `the revocation endpoint answered ${res.status}`, {
    status: res.status,
    ...(err.error === undefined ? {} : { error: err.error }),
  });
}
