// Extracting a bearer token from an Authorization header value.
import { TokenError } from './errors.js';

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
