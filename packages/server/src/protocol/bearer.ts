// Bearer token extraction: the Authorization header (scheme case-insensitive) or a form body field.
import { InvalidRequest, InvalidToken } from './errors.js';
import type { FormParams } from './params.js';

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Returns the bearer token of a request. Exactly one method may be used; none at all is a 401 without
 * an error code.
 * @see RFC 6750 §2.1, §2.2, §3.1; RFC 7235 §2.1 (schemes are case-insensitive)
 */
export function bearerToken(authorization: string | undefined, body: FormParams | undefined): string {
  const fromBody = body?.['access_token'];
  if (authorization !== undefined) {
    if (fromBody !== undefined) throw new InvalidRequest('send the access token one way only');
    const match = /^bearer +(\S+) *$/i.exec(authorization);
    if (!match) {
      if (/^bearer\b/i.test(authorization)) throw new InvalidToken('malformed bearer token');
      // Another scheme carries no bearer credentials at all: a challenge without an error code.
      throw new InvalidToken('use the Bearer authentication scheme', { withError: false });
    }
    const token = match[1] as string;
    if (!B64TOKEN.test(token)) throw new InvalidToken('malformed bearer token');
    return token;
  }
  if (fromBody !== undefined) return fromBody;
  throw new InvalidToken('an access token is required', { withError: false });
}
