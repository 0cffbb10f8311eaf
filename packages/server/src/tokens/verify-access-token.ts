// Verification of our own access tokens (for userinfo): RS256 under a published key, typ at+jwt,
// our issuer and audience, not expired.
import crypto, { type KeyObject } from 'node:crypto';
import { InvalidToken } from '../protocol/errors.js';

export interface PublicKeyJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
}

export interface AccessTokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Tolerated clock skew, seconds. */
  readonly clockTolerance: number;
  readonly keys: readonly PublicKeyJwk[];
}

/** The claims userinfo relies on; the rest are passed through untyped. */
export interface AccessTokenClaims {
  sub: string;
  scope: string;
  client_id: string;
  exp: number;
  [claim: string]: unknown;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Verifies access tokens this service issued. Each failure is an RFC 6750 `invalid_token`. */
export class AccessTokenVerifier {
  readonly #options: AccessTokenVerifierOptions;
  readonly #keys: Map<string, KeyObject>;

  constructor(options: AccessTokenVerifierOptions) {
    this.#options = options;
    this.#keys = new Map(
      options.keys.map((k) => [
        k.kid,
        crypto.createPublicKey({ key: { kty: k.kty, n: k.n, e: k.e }, format: 'jwk' }),
      ]),
    );
  }

  /**
   * Returns the claims of `token` when it is valid at `now` (seconds since the epoch).
   * @see RFC 9068 §4 (validating JWT access tokens), RFC 6750 §3.1
   */
  verify(token: string, now: number): AccessTokenClaims {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) throw new InvalidToken('malformed token');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h);
    if (header?.['alg'] !== 'RS256' || header['typ'] !== 'at+jwt' || typeof header['kid'] !== 'string') {
      throw new InvalidToken('not an access token of this issuer');
    }
    const key = this.#keys.get(header['kid']);
    if (!key) throw new InvalidToken('unknown signing key');
    const valid = crypto.verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
    if (!valid) throw new InvalidToken('invalid signature');
    const claims = decodeJson(p);
    if (!claims) throw new InvalidToken('malformed token');
    const { issuer, audience, clockTolerance } = this.#options;
    if (claims['iss'] !== issuer) throw new InvalidToken('wrong issuer');
    const aud = claims['aud'];
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
      throw new InvalidToken('wrong audience');
    }
    const exp = claims['exp'];
    if (typeof exp !== 'number' || exp + clockTolerance <= now) throw new InvalidToken('token expired');
    const iat = claims['iat'];
    if (typeof iat === 'number' && iat - clockTolerance > now)
      throw new InvalidToken('token issued in the future');
    if (typeof claims['sub'] !== 'string' || typeof claims['scope'] !== 'string') {
      throw new InvalidToken('malformed token');
    }
    return claims as AccessTokenClaims;
  }
}
