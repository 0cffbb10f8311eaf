// TokenError: every way a bearer token is refused, with a stable `code` callers switch on and the
// RFC 6750 response (status, `error`) each code maps to.

/**
 * Stable reasons a token is refused. Callers `switch (err.code)`; the docs (docs/verify.md) list them.
 */
export type TokenErrorCode =
  | 'token_missing'
  | 'request_malformed'
  | 'token_malformed'
  | 'token_too_large'
  | 'alg_not_allowed'
  | 'type_invalid'
  | 'header_forbidden'
  | 'kid_unknown'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issuer_invalid'
  | 'audience_invalid'
  | 'claims_invalid'
  | 'token_revoked'
  | 'dpop_proof_invalid'
  | 'dpop_proof_replayed'
  | 'dpop_required'
  | 'dpop_key_mismatch'
  | 'dpop_nonce_required'
  | 'jwks_unavailable';

/** The RFC 6750 §3.1 and RFC 9449 §7.1, §9 `error` values this package answers with. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';

interface Mapping {
  status: 400 | 401 | 503;
  /** Absent for a request without credentials (RFC 6750 §3.1) and when keys cannot be loaded. */
  error: BearerErrorCode | undefined;
}

const MAPPINGS: Readonly<Record<TokenErrorCode, Mapping>> = Object.freeze({
  token_missing: { status: 401, error: undefined },
  request_malformed: { status: 400, error: 'invalid_request' },
  token_malformed: { status: 401, error: 'invalid_token' },
  token_too_large: { status: 401, error: 'invalid_token' },
  alg_not_allowed: { status: 401, error: 'invalid_token' },
  type_invalid: { status: 401, error: 'invalid_token' },
  header_forbidden: { status: 401, error: 'invalid_token' },
  kid_unknown: { status: 401, error: 'invalid_token' },
  signature_invalid: { status: 401, error: 'invalid_token' },
  token_expired: { status: 401, error: 'invalid_token' },
  token_not_yet_valid: { status: 401, error: 'invalid_token' },
  issuer_invalid: { status: 401, error: 'invalid_token' },
  audience_invalid: { status: 401, error: 'invalid_token' },
  claims_invalid: { status: 401, error: 'invalid_token' },
  token_revoked: { status: 401, error: 'invalid_token' },
  dpop_proof_invalid: { status: 401, error: 'invalid_dpop_proof' },
  dpop_proof_replayed: { status: 401, error: 'invalid_dpop_proof' },
  dpop_required: { status: 401, error: 'invalid_token' },
  dpop_key_mismatch: { status: 401, error: 'invalid_token' },
  dpop_nonce_required: { status: 401, error: 'use_dpop_nonce' },
  jwks_unavailable: { status: 503, error: undefined },
});

/** Every {@link TokenErrorCode}, in a stable order. */
export const TOKEN_ERROR_CODES: readonly TokenErrorCode[] = Object.freeze(
  Object.keys(MAPPINGS) as TokenErrorCode[],
);

/**
 * A refused token. `message` is safe to send to the caller: it never contains the token or a key.
 * The underlying failure (a jose or fetch error) rides along as `cause`.
 * @see RFC 6750 §3.1
 */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  /** Stable reason, see {@link TokenErrorCode}. */
  readonly code: TokenErrorCode;
  /** HTTP status of the response: 401, 400 (`invalid_request`) or 503 (no key set could be loaded). */
  readonly status: 400 | 401 | 503;
  /** RFC 6750 `error` for `WWW-Authenticate`, or undefined when none applies. */
  readonly error: BearerErrorCode | undefined;
  /** For `dpop_nonce_required`: the nonce to send as `DPoP-Nonce` (RFC 9449 §9). */
  readonly dpopNonce: string | undefined;

  constructor(code: TokenErrorCode, message: string, options: { cause?: unknown; dpopNonce?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.dpopNonce = options.dpopNonce;
    const mapping = MAPPINGS[code];
    this.status = mapping.status;
    this.error = mapping.error;
  }
}
