// Extracting a bearer token from an Authorization header value.
import { TokenError } from './errors.js';
import { isHeaderName } from './header-name.js';

/**
 * True when a request carries more than one Authorization header. Node's `headers` keep only the first,
 * so adapters count them in `rawHeaders` (a good token then a bad one must not pass as the good one).
 * @see RFC 6750 §3.1 (invalid_request), RFC 9110 §11.6.2
 */
export function repeatedAuthorization(rawHeaders: readonly string[] | undefined): boolean {
  if (rawHeaders === undefined) return false;
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (isHeaderName(rawHeaders[i] as string, 'authorization') && ++seen > 1) return true;
  }
  return false;
}

/** The refusal of a repeated Authorization header (one instance: it carries nothing per request). */
export const REPEATED_AUTHORIZATION = new TokenError(
  'request_malformed',
  'More than one Authorization header',
);

const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:[ \t]+(.*))?$/s;

/**
 * Returns the token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
 * (the reference document sends `bearer`). No header, or another scheme, is `token_missing`;
 * an empty or space-separated credential is `request_malformed`.
 * @see RFC 6750 §2.1, RFC 7235 §2.1
 */
export function bearerToken(header: string | readonly string[] | undefined): string {
  if (Array.isArray(header)) {
    if (header.length > 1) throw new TokenError('request_malformed', 'More than one Authorization header');
    return bearerToken(header[0]);
  }
  const value = typeof header === 'string' ? header.trim() : '';
  if (value === '') throw new TokenError('token_missing', 'A bearer access token is required');
  const match = CREDENTIALS.exec(value);
  if (match?.[1]?.toLowerCase() !== 'bearer') {
    throw new TokenError('token_missing', 'A bearer access token is required');
  }
  const token = (match[2] ?? '').trim();
  if (token === '' || /\s/.test(token)) {
    throw new TokenError('request_malformed', 'The Authorization header is not "Bearer <token>"');
  }
  return token;
}

/** The credentials of an Authorization header: its scheme (Bearer or DPoP) and token. */
export interface Credentials {
  scheme: 'bearer' | 'dpop';
  token: string;
}

/**
 * Reads `Authorization: Bearer <token>` or `Authorization: DPoP <token>` (schemes in any case).
 * @throws {TokenError} as {@link bearerToken} for a missing or malformed header.
 * @see RFC 6750 §2.1, RFC 9449 §7.1
 */
export function authorizationCredentials(header: string | readonly string[] | undefined): Credentials {
  if (Array.isArray(header)) {
    if (header.length > 1) throw new TokenError('request_malformed', 'More than one Authorization header');
    return authorizationCredentials(header[0]);
  }
  const value = typeof header === 'string' ? header.trim() : '';
  const match = CREDENTIALS.exec(value);
  if (match?.[1]?.toLowerCase() !== 'dpop') return { scheme: 'bearer', token: bearerToken(value) };
  const token = (match[2] ?? '').trim();
  if (token === '' || /\s/.test(token)) {
    throw new TokenError('request_malformed', 'The Authorization header is not "DPoP <token>"');
  }
  return { scheme: 'dpop', token };
}

/** True when an Authorization header value uses the DPoP scheme (a cheap test for adapters). */
export function isDpopScheme(header: string | readonly string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && value.length > 5 && value.slice(0, 5).toLowerCase() === 'dpop ';
}
