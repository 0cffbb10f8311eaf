// Verifying an OpenID Connect id_token of the issuer, with the verifier's own key set and header
// rules: an issuer reads back its own id_tokens (logout's `id_token_hint`), a relying party checks one
// it received. Access tokens and id_tokens never pass for each other: the `typ` differs.
import { checkHeader, decodeJsonSegment, parseJsonObject, splitCompact } from './compact.js';
import { TokenError } from './errors.js';
import { type VerificationKey, verifyJws } from './jose.js';

/** The id_token media type cxauth signs with (RFC 7519 §5.1), compared case-insensitively. */
const ID_TOKEN_TYPES: ReadonlySet<string> = new Set(['jwt']);

/** The claims of a verified id_token (OIDC Core §2); the issuer's other claims ride along. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  /** Seconds since the epoch. */
  exp: number;
  /** Seconds since the epoch. */
  iat: number;
  auth_time?: number;
  nonce?: string;
  /** The sign-in session (OIDC Front-Channel Logout §3). */
  sid?: string;
  amr?: string[];
  azp?: string;
  [claim: string]: unknown;
}

/** Options of {@link Verifier.verifyIdToken}. */
export interface IdTokenOptions {
  /**
   * The client the id_token must be for (its `aud`). When absent, any one client is accepted and
   * the caller reads it from `aud` (logout learns the client from the hint itself).
   */
  audience?: string;
  /**
   * Accept an id_token whose `exp` has passed (the signature, issuer and audience still checked).
   * OIDC RP-Initiated Logout §2 asks the OP to accept expired hints. Default false.
   */
  acceptExpired?: boolean;
}

export interface IdTokenRules {
  issuer: string;
  /** Seconds. */
  clockTolerance: number;
  maxLength: number;
}

const isNumericDate = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

function invalid(message: string): TokenError {
  return new TokenError('claims_invalid', message);
}

/** The one audience of `aud` when `expected` is absent, else whether `aud` names `expected`. */
function audienceOk(aud: unknown, expected: string | undefined): boolean {
  const list = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === 'string' && a !== ''))
    return false;
  return expected === undefined ? list.length === 1 : list.includes(expected);
}

/**
 * Checks an id_token payload: exact `iss`, `aud`, numeric `exp` (unless expired ones are accepted)
 * and `iat` not in the future, a `sub`, and well-typed `sid`, `nonce`, `auth_time`.
 * @see OpenID Connect Core 1.0 §3.1.3.7
 */
export function checkIdTokenClaims(
  payload: Record<string, unknown>,
  rules: IdTokenRules,
  options: IdTokenOptions,
  now: number,
): IdTokenClaims {
  if (payload['iss'] !== rules.issuer) throw new TokenError('issuer_invalid', 'The token has another issuer');
  if (!audienceOk(payload['aud'], options.audience)) {
    throw new TokenError('audience_invalid', 'The id_token is not meant for this client');
  }
  const { exp, iat } = payload;
  if (!isNumericDate(exp) || !isNumericDate(iat)) throw invalid('The token lacks a numeric exp or iat');
  if (!options.acceptExpired && now >= exp + rules.clockTolerance) {
    throw new TokenError('token_expired', 'The id_token expired');
  }
  if (iat > now + rules.clockTolerance)
    throw new TokenError('token_not_yet_valid', 'The id_token is not valid yet');
  if (typeof payload['sub'] !== 'string' || payload['sub'] === '')
    throw invalid('The token lacks a sub claim');
  for (const name of ['sid', 'nonce', 'azp'] as const) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') {
      throw invalid(`The token ${name} claim is not a string`);
    }
  }
  if (payload['auth_time'] !== undefined && !isNumericDate(payload['auth_time'])) {
    throw invalid('The token auth_time claim is not a number');
  }
  return payload as IdTokenClaims;
}

/**
 * Verifies a compact id_token: the header as strict as an access token's but with `typ` JWT, the
 * signature with `keyOf(kid)` (the key decides the algorithm), then the claims.
 * @see OpenID Connect Core 1.0 §3.1.3.7, RFC 8725 §3.1
 */
export async function verifyIdTokenWith(
  token: string,
  keyOf: (kid: string) => Promise<VerificationKey>,
  rules: IdTokenRules,
  options: IdTokenOptions,
  now: number,
): Promise<IdTokenClaims> {
  if (typeof token !== 'string' || token === '')
    throw new TokenError('token_missing', 'An id_token is required');
  if (token.length > rules.maxLength) throw new TokenError('token_too_large', 'The id_token is too large');
  try {
    const [header] = splitCompact(token);
    const { alg, kid } = checkHeader(decodeJsonSegment(header, 'header'), ID_TOKEN_TYPES);
    const key = await keyOf(kid);
    if (alg !== key.alg) {
      throw new TokenError('alg_not_allowed', `The token algorithm does not match its key (${key.alg})`);
    }
    let payload: Uint8Array;
    try {
      payload = await verifyJws(token, key);
    } catch (err) {
      throw new TokenError('signature_invalid', 'The token signature is invalid', { cause: err });
    }
    const claims = parseJsonObject(Buffer.from(payload).toString('utf8'), 'payload');
    return Object.freeze(checkIdTokenClaims(claims, rules, options, now));
  } catch (err) {
    if (err instanceof TokenError) throw err;
    throw new TokenError('token_malformed', 'The id_token is invalid', { cause: err });
  }
}
