// Where adapters leave the verified claims of a request, readable with claimsOf(request).
import type { AccessTokenClaims } from './claims.js';

/**
 * The claims of a Fastify request, on a property the plugin decorates (so every request keeps one
 * shape, and a hit costs one store instead of a WeakMap entry). Private: nothing else can set it.
 */
export const CLAIMS: unique symbol = Symbol('@cxauth/verify claims');

/** Claims of requests that carry no {@link CLAIMS} property (Node `IncomingMessage`). */
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
  return (request as { [CLAIMS]?: AccessTokenClaims | null })[CLAIMS] ?? verified.get(request);
}
