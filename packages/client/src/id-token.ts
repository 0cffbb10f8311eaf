// The claims check of an id_token fresh from the token endpoint, for every flow that gets one (the
// authorization code and the device code).
import { ClientError } from './errors.js';
import { decodeJwt } from './jwt.js';

/** What the id_token must say: its issuer and client, and the nonce the flow sent, when it sent one. */
export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce?: string;
}

/**
 * Checks the id_token's claims from its payload and returns them. Its signature is not checked: the
 * token came straight from the token endpoint over TLS (OIDC Core §3.1.3.7, step 6); docs/client.md
 * says so.
 *
 * @throws {ClientError} `invalid_id_token`
 * @see OpenID Connect Core 1.0 §3.1.3.7
 */
export function checkIdToken(
  idToken: string,
  expected: IdTokenExpectations,
  nowSec: number,
  tolerance: number,
): Record<string, unknown> {
  const bad = (why: string) => new ClientError('invalid_id_token', `the id_token ${why}`);
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(idToken).payload;
  } catch (cause) {
    throw new ClientError('invalid_id_token', 'the id_token is not a JWT', { cause });
  }
  if (payload['iss'] !== expected.issuer) throw bad('names another issuer');
  const aud = payload['aud'];
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!auds.includes(expected.clientId)) throw bad('is not for this client');
  if (auds.length > 1 && payload['azp'] !== expected.clientId) throw bad('has an azp of another client');
  if (expected.nonce !== undefined && payload['nonce'] !== expected.nonce) {
    throw bad('carries another nonce (a replayed response?)');
  }
  const exp = payload['exp'];
  if (typeof exp !== 'number' || nowSec >= exp + tolerance) throw bad('has expired');
  const iat = payload['iat'];
  if (typeof iat !== 'number' || iat > nowSec + tolerance) throw bad('is issued in the future');
  return payload;
}
