// Where adapters leave the verified claims of a request, readable with claimsOf(request).
import type { AccessTokenClaims } from './claims.js';

const verified = new WeakMap<object, AccessTokenClaims>();

/** Records the claims of an authenticated request (adapters only). */
export function attachClaims(request: object, claims: AccessTokenClaims): void {
  verified.set(request, claims);
}

/**
 * The access-token claims of a request that passed `fastifyBearer` or `httpBearer`
 * (the Fastify request or the Node `IncomingMessage`), or undefined.
 */
export function claimsOf(request: object): AccessTokenClaims | undefined {
  return verified.get(request);
}
