// The unauthenticated part of verification: splitting a compact JWS, decoding its JSON, and refusing
// any header that asks for something other than an access token signed by a key we publish.
import { TokenError } from './errors.js';
import type { SigningAlg } from './jose.js';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Header members that would let the token choose its own key or extensions (RFC 8725 §3.10). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const;

/** The algorithms an issuer may sign with; `none`, HS* and every other name are refused. */
const ALGORITHMS: ReadonlySet<unknown> = new Set<SigningAlg>(['RS256', 'ES256', 'EdDSA']);

/** Access-token media types, compared case-insensitively (RFC 9068 §4, RFC 7515 §4.1.9). */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/** Parses JSON text that must be an object, or throws `token_malformed`. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TokenError('token_malformed', `The token ${what} is not base64url JSON`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError('token_malformed', `The token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Decodes one base64url segment as a JSON object, or throws `token_malformed`. */
export function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  return parseJsonObject(Buffer.from(segment, 'base64url').toString('utf8'), what);
}

/**
 * Splits a compact JWS into its three base64url segments (the signature must not be empty).
 * @see RFC 7515 §7.1
 */
export function splitCompact(token: string): [string, string, string] {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) {
    throw new TokenError('token_malformed', 'The token is not a signed JWT');
  }
  return parts as [string, string, string];
}

/**
 * Checks the protected header of an access token and returns its `alg` and `kid`: `alg` one of
 * RS256, ES256 and EdDSA (the key must then be of that type: see verifier.ts),
 * `typ` at+jwt (so an id_token is never taken for an access token), no key-carrying or `crit` members.
 * The revocation feed passes its own `types` (secevent+jwt): neither is ever taken for the other.
 * @see RFC 9068 §4, RFC 8725 §3.1 and §3.11
 */
export function checkHeader(
  header: Record<string, unknown>,
  types: ReadonlySet<string> = ACCESS_TOKEN_TYPES,
): { alg: SigningAlg; kid: string } {
  const alg = header['alg'];
  if (!ALGORITHMS.has(alg)) {
    throw new TokenError('alg_not_allowed', 'The token algorithm is not RS256, ES256 or EdDSA');
  }
  const typ = header['typ'];
  if (typeof typ !== 'string' || !types.has(typ.toLowerCase())) {
    const expected =
      types === ACCESS_TOKEN_TYPES ? 'an access token (typ at+jwt)' : `of typ ${[...types][0]}`;
    throw new TokenError('type_invalid', `The token is not ${expected}`);
  }
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new TokenError('header_forbidden', `The token header must not contain ${name}`);
  }
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid.length === 0) {
    throw new TokenError('kid_unknown', 'The token header has no kid');
  }
  return { alg: alg as SigningAlg, kid };
}
