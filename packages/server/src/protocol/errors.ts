// One error hierarchy for every OAuth/OIDC response, keyed by the RFC's codes (RFC 6749 §5.2,
// RFC 6750 §3.1). One serializer (http/errors.ts) writes them; anything else becomes `server_error`.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'unsupported_response_type'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'access_denied'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'login_required'
  | 'consent_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'not_found'
  | 'method_not_allowed'
  | 'temporarily_unavailable'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'server_error';

export class OAuthError extends Error {
  override readonly name: string = 'OAuthError';
  readonly status: number;
  readonly error: OAuthErrorCode;
  /** Safe to show to the caller: never contains a secret or an internal detail. */
  readonly description: string;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  readonly headers: Record<string, string>;

  constructor(
    error: OAuthErrorCode,
    description: string,
    options: { status?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(description, { cause: options.cause });
    this.error = error;
    this.description = description;
    this.status = options.status ?? 400;
    this.headers = options.headers ?? {};
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super('invalid_request', description);
  }
}

/**
 * RFC 6749 §5.2: 401, and `WWW-Authenticate` naming the scheme the client tried when it used the
 * Authorization header.
 */
export class InvalidClient extends OAuthError {
  /** Set when a secret was checked and did not match: the one kind of refusal that is a guess. */
  readonly refused: RefusedCredential | undefined;
  constructor(description: string, usedBasic: boolean, refused?: RefusedCredential) {
    super('invalid_client', description, {
      status: 401,
      headers: usedBasic ? { 'WWW-Authenticate': 'Basic realm="cxauth", charset="UTF-8"' } : {},
    });
    this.refused = refused;
  }
}

export class InvalidGrant extends OAuthError {
  /** Set when a secret was checked and did not match (a guessable credential, not a random token). */
  readonly refused: RefusedCredential | undefined;
  constructor(description: string, refused?: RefusedCredential) {
    super('invalid_grant', description);
    this.refused = refused;
  }
}

/**
 * A credential whose secret was compared and did not match, or whose identifier is unknown: what the
 * throttle counts (docs/operations.md "Throttling"). Malformed requests, and spent or unknown refresh
 * tokens and codes (256 random bits: no guess finds one), carry none and count nothing. Never shown.
 */
export interface RefusedCredential {
  readonly kind: 'client' | 'access_key';
  readonly id: string;
  /** Whether the identifier exists (only then is it named in the audit trail). */
  readonly known: boolean;
}

/** RFC 6750 §3.1: a missing or bad bearer token. */
export class InvalidToken extends OAuthError {
  constructor(description: string, options: { withError?: boolean } = {}) {
    const withError = options.withError ?? true;
    super('invalid_token', description, {
      status: 401,
      headers: {
        'WWW-Authenticate': withError
          ? `Bearer realm="cxauth", error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`
          : 'Bearer realm="cxauth"',
      },
    });
  }
}

/**
 * RFC 9449 §5 and §7: a refused DPoP proof. At the token endpoint a 400; at a resource (userinfo) a
 * 401 with a DPoP challenge.
 */
export class InvalidDpopProof extends OAuthError {
  constructor(description: string, options: { resource?: boolean } = {}) {
    super('invalid_dpop_proof', description, {
      status: options.resource ? 401 : 400,
      headers: options.resource
        ? {
            'WWW-Authenticate': `DPoP realm="cxauth", error="invalid_dpop_proof", error_description="${description.replace(/["\\]/g, '')}", algs="ES256 EdDSA RS256"`,
          }
        : {},
    });
  }
}

/** RFC 9449 §8: the proof lacks the server's current nonce; `DPoP-Nonce` carries a fresh one. */
export class UseDpopNonce extends OAuthError {
  constructor(nonce: string) {
    super('use_dpop_nonce', 'the DPoP proof must carry the nonce of the DPoP-Nonce header', {
      headers: { 'DPoP-Nonce': nonce },
    });
  }
}

export class NotFound extends OAuthError {
  constructor(description: string) {
    super('not_found', description, { status: 404 });
  }
}

/** One field of an admin request at fault, as a problem's `errors` names it. */
export interface InvalidParam {
  /** Where: `body`, `querystring` or `params`. */
  readonly in: string;
  /** The JSON pointer of the member (`/email`). */
  readonly pointer: string;
  readonly reason: string;
}

/**
 * An admin API failure as RFC 9457 problem details: `status`, a short `title` for the kind, a
 * `detail` for this occurrence, and for 400s the fields at fault. The admin API writes it as
 * `application/problem+json` (admin/api/problem.ts), as the OAuth endpoints write {@link OAuthError}.
 * @see RFC 9457 §3
 */
export class Problem extends Error {
  override readonly name: string = 'Problem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: { errors?: readonly InvalidParam[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

/** Which input an {@link AdminError} is about: the admin API names it in its problem's `errors`. */
export interface AdminErrorField {
  /** `body` or `querystring`. */
  readonly in: string;
  /** The member's name as the admin API spells it (`email`, `redirect_uris`). */
  readonly name: string;
}

type AdminErrorCode = 'not_found' | 'invalid_value' | 'conflict' | 'forbidden';
const ADMIN_STATUS = { not_found: 404, invalid_value: 400, conflict: 409, forbidden: 403 } as const;
const ADMIN_TITLE = {
  not_found: 'Not Found',
  invalid_value: 'Bad Request',
  conflict: 'Conflict',
  forbidden: 'Forbidden',
} as const;

/**
 * A domain rule broken by an admin command (unknown id, bad value): shown as one line by the CLI,
 * and as its problem by the admin API, with the input at fault in `errors` so a form can mark it.
 */
export class AdminError extends Problem {
  override readonly name = 'AdminError';
  readonly code: AdminErrorCode;
  readonly field: AdminErrorField | undefined;
  constructor(code: AdminErrorCode, message: string, field?: AdminErrorField) {
    super(
      ADMIN_STATUS[code],
      ADMIN_TITLE[code],
      message,
      field ? { errors: [{ in: field.in, pointer: `/${field.name}`, reason: message }] } : {},
    );
    this.code = code;
    this.field = field;
  }
}

/**
 * Too many failed attempts: 429 with `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3). The code is
 * RFC 6749's `temporarily_unavailable` (registered for the authorization endpoint too, so the sign-in
 * form's redirect can carry the same one), which clients already treat as "retry later".
 */
export class Throttled extends OAuthError {
  /** Whole seconds until the next attempt is accepted (at least 1). */
  readonly retryAfter: number;
  constructor(retryAfter: number) {
    const seconds = Math.max(1, Math.ceil(retryAfter));
    super('temporarily_unavailable', `too many failed attempts: retry after ${seconds} seconds`, {
      status: 429,
      headers: { 'Retry-After': String(seconds) },
    });
    this.retryAfter = seconds;
  }
}
