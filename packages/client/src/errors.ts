// The SDK's one error type: a stable `code` callers switch on, the server's answer, and the cause.

/**
 * Every `code` a {@link ClientError} can carry. Stable: adding one is a minor release, changing one
 * a major release. `docs/client.md` lists the same codes (a test keeps the two in step).
 */
export const CLIENT_ERROR_CODES = Object.freeze([
  'invalid_config',
  'invalid_argument',
  'discovery_failed',
  'invalid_client',
  'invalid_grant',
  'token_request_failed',
  'invalid_token_response',
  'revocation_failed',
  'introspection_failed',
  'malformed_token',
  'invalid_callback',
  'state_mismatch',
  'issuer_mismatch',
  'login_required',
  'access_denied',
  'authorization_failed',
  'authorization_expired',
  'invalid_id_token',
  'tenant_not_found',
  'api_error',
  'rate_limited',
  'network',
  'timeout',
] as const);

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export interface ClientErrorDetails {
  /** HTTP status of the answer that caused the failure, when there was one. */
  status?: number;
  /** The server's RFC 6749 §5.2 `error`, when it sent one. */
  error?: string;
  /** The server's `error_description`, when it sent one. */
  errorDescription?: string;
  /** The response body of a failed API call (parsed JSON, or text). */
  body?: unknown;
  /** The original failure (a fetch TypeError, an AbortSignal DOMException, a JSON SyntaxError…). */
  cause?: unknown;
}

/**
 * A failure of the SDK. Messages say what was refused and what to check, and never contain a secret.
 *
 * @example
 * try { await client.api('GET', '/x'); } catch (err) {
 *   if (err instanceof ClientError && err.code === 'invalid_grant') rotateAccessKey();
 * }
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly body: unknown;

  constructor(code: ClientErrorCode, message: string, details: ClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.body = details.body;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.error === undefined ? {} : { error: this.error }),
      ...(this.errorDescription === undefined ? {} : { error_description: this.errorDescription }),
    };
  }
}

/** True when `err` is a {@link ClientError}, optionally with one of `codes`. */
export function isClientError(err: unknown, ...codes: ClientErrorCode[]): err is ClientError {
  return err instanceof ClientError && (codes.length === 0 || codes.includes(err.code));
}
