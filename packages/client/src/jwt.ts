// Reads a JWT's header and payload locally, without checking its signature (that needs the issuer's
// keys: @cxauth/verify does it). The token never leaves the process.

import { base64UrlDecodeText } from './encoding.js';
import { ClientError } from './errors.js';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The signature part as sent (base64url), not checked. */
  signature: string;
}

/**
 * Splits a compact JWS and base64url-decodes its header and payload. Does NOT verify the signature:
 * use it to read claims of a token you just received from the token endpoint over TLS (as the
 * reference does for `tenantId`), never to decide whether to trust a token someone handed you.
 *
 * @throws {ClientError} `malformed_token` when it is not three base64url parts of JSON objects.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1
 */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    throw new ClientError(
      'malformed_token',
      `not a JWT: expected 3 dot-separated parts, found ${parts.length}`,
    );
  }
  const [h, p, s] = parts as [string, string, string];
  return { header: jsonPart(h, 'header'), payload: jsonPart(p, 'payload'), signature: s };
}

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(base64UrlDecodeText(part));
  } catch (cause) {
    throw new ClientError('malformed_token', `not a JWT: its ${what} is not base64url-encoded JSON`, {
      cause,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ClientError('malformed_token', `not a JWT: its ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * The `tenantId` claim of an access token, read locally (step 5 of the reference flow).
 *
 * @throws {ClientError} `malformed_token` when the token is not a JWT or has no string `tenantId`.
 */
export function tenantIdOf(accessToken: string): string {
  const { payload } = decodeJwt(accessToken);
  const tenantId = payload['tenantId'];
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new ClientError('malformed_token', 'the access token has no tenantId claim');
  }
  return tenantId;
}
