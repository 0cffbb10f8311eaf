// Turns a refused token into its RFC 6750 response: status, WWW-Authenticate and a JSON body.
import { PROOF_ALGORITHMS } from './dpop/proof-key.js';
import { TokenError } from './errors.js';

/** What an adapter writes for a refused request. */
export interface BearerErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

/** Keeps only the characters RFC 6750 §3 allows inside a quoted auth-param. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
}

/**
 * The response for `err`: a challenge with `error` and `error_description`, or only the realm when
 * the request carried no bearer credentials. Anything that is not a {@link TokenError} is answered
 * as an invalid token, never as a server error.
 * @see RFC 6750 §3, §3.1
 */
export function bearerErrorResponse(err: unknown, realm: string): BearerErrorResponse {
  return errorResponse(err, realm, 'Bearer');
}

/** The codes whose challenge is DPoP's (RFC 9449 §7.1): the proof, or a token bound to a key. */
const DPOP_CODES: ReadonlySet<string> = new Set([
  'dpop_proof_invalid',
  'dpop_proof_replayed',
  'dpop_required',
  'dpop_key_mismatch',
  'dpop_nonce_required',
]);

/**
 * The response for `err` to a request that used `scheme` (`DPoP` for `Authorization: DPoP`): a
 * refusal about DPoP itself is always challenged with the DPoP scheme and its `algs`.
 * @see RFC 6750 §3, RFC 9449 §7.1
 */
export function errorResponse(err: unknown, realm: string, scheme: 'Bearer' | 'DPoP'): BearerErrorResponse {
  const error =
    err instanceof TokenError ? err : new TokenError('token_malformed', 'The access token is invalid');
  if (error.status === 503) {
    return {
      status: 503,
      headers: { 'retry-after': '5', 'cache-control': 'no-store' },
      body: { error: 'temporarily_unavailable', error_description: error.message },
    };
  }
  const dpop = scheme === 'DPoP' || DPOP_CODES.has(error.code);
  const params = [`realm=${quoted(realm)}`];
  if (error.error) params.push(`error=${quoted(error.error)}`, `error_description=${quoted(error.message)}`);
  if (dpop) params.push(`algs="${PROOF_ALGORITHMS.join(' ')}"`);
  return {
    status: error.status,
    headers: {
      'www-authenticate': `${dpop ? 'DPoP' : 'Bearer'} ${params.join(', ')}`,
      'cache-control': 'no-store',
      // RFC 9449 §9: the nonce the next proof must carry.
      ...(error.dpopNonce === undefined ? {} : { 'dpop-nonce': error.dpopNonce }),
    },
    body: { error: error.error ?? 'unauthorized', error_description: error.message },
  };
}
