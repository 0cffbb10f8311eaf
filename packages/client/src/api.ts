// API calls (step 7): `{api_endpoint}{path}` with the bearer token, JSON by default, one renewal and
// one retry after a 401, and the answer parsed or turned into an `api_error`.
import { jsonObject, oauthError } from './discovery.js';
import { wantsNonce } from './dpop.js';
import { ClientError } from './errors.js';
import { type HttpContext, type HttpResult, parseMaybeJson, send } from './http.js';
import type { TokenCache } from './token-cache.js';

export interface ApiOptions {
  /** A value to send as JSON (sets `Content-Type: application/json`). */
  json?: unknown;
  /** A raw body; set its `Content-Type` in `headers`. */
  body?: string;
  /** Extra headers; `Accept: application/json` is sent unless overridden. `Authorization` is ours. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  data: T;
}

const METHOD = /^[A-Z]+$/;

/**
 * One API call with the current token. A 401 renews the token once (single flight across callers)
 * and retries once; a second 401 is an `api_error` — never a loop.
 *
 * @throws {ClientError} `api_error` on a non-2xx answer, `invalid_argument`, and any token/transport code
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function callApi<T>(
  ctx: HttpContext,
  tokens: TokenCache,
  baseUrl: () => Promise<string>,
  method: string,
  path: string,
  options: ApiOptions,
): Promise<ApiResponse<T>> {
  const verb = method.toUpperCase();
  if (!METHOD.test(verb)) throw new ClientError('invalid_argument', `"${method}" is not an HTTP method`);
  // A path, never a URL: the bearer token must only go to the tenant's api_endpoint.
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new ClientError('invalid_argument', `the API path must start with a single "/", not "${path}"`);
  }
  if (options.json !== undefined && options.body !== undefined) {
    throw new ClientError('invalid_argument', 'give json or body, not both');
  }
  if ((verb === 'GET' || verb === 'HEAD') && (options.json !== undefined || options.body !== undefined)) {
    // fetch refuses it with a TypeError, which would otherwise read as a network failure.
    throw new ClientError('invalid_argument', `a ${verb} request cannot have a body`);
  }
  const url = `${await baseUrl()}${path}`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') continue;
    // Replace ours case-insensitively (an "accept" must not add a second Accept).
    for (const ours of Object.keys(headers))
      if (ours.toLowerCase() === name.toLowerCase()) delete headers[ours];
    headers[name] = value;
  }

  let token = await tokens.get();
  let nonceRetried = false;
  for (let attempt = 0; ; attempt++) {
    // A DPoP-bound token goes with the DPoP scheme and a proof naming it (RFC 9449 §7.1).
    const bound = ctx.dpop !== undefined && token.response.token_type.toLowerCase() === 'dpop';
    const auth: Record<string, string> =
      bound && ctx.dpop
        ? {
            Authorization: `DPoP ${token.accessToken}`,
            DPoP: await ctx.dpop.proof(verb, url, token.accessToken),
          }
        : { Authorization: `Bearer ${token.accessToken}` };
    const res = await send(ctx, url, {
      method: verb,
      headers: { ...headers, ...auth },
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (bound && ctx.dpop) {
      ctx.dpop.learnNonce(url, res.headers);
      // RFC 9449 §9: a resource server's nonce, retried once with it.
      if (!nonceRetried && wantsNonce(res.status, res.headers, jsonObject(res.text))) {
        nonceRetried = true;
        attempt--;
        continue;
      }
    }
    if (res.status === 401 && attempt === 0) {
      token = await tokens.renewAfterRejection(token.accessToken);
      continue;
    }
    const data = parseMaybeJson(res.text);
    if (res.status >= 200 && res.status < 300)
      return { status: res.status, headers: res.headers, data: data as T };
    throw apiError(verb, path, res, data);
  }
}

function apiError(verb: string, path: string, res: HttpResult, data: unknown): ClientError {
  const { status } = res;
  const said = oauthError(jsonObject(res.text));
  // RFC 6750 §3: a resource server says why in WWW-Authenticate; an error body may say it too.
  const challenge = res.headers.get('www-authenticate') ?? '';
  const error = said.error ?? /error="([^"]*)"/.exec(challenge)?.[1];
  const description = said.errorDescription ?? /error_description="([^"]*)"/.exec(challenge)?.[1];
  return new ClientError(
    'api_error',
    `${verb} ${path} answered ${status}${error ? ` (${error}${description ? `: ${description}` : ''})` : ''}`,
    {
      status,
      body: data,
      ...(error ? { error } : {}),
      ...(description ? { errorDescription: description } : {}),
    },
  );
}
