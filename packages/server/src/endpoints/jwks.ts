// GET /auth/jwks: the public signing keys, for resource servers verifying tokens statelessly.
import type { FastifyInstance } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';

/** Short enough that a new key is picked up well before it signs alone. */
export const JWKS_MAX_AGE = 300;

/**
 * Registers the JWKS endpoint; `jwksJson` is the current document (keys may be reloaded).
 * @see RFC 7517 §5
 */
export function registerJwks(app: FastifyInstance, jwksJson: () => string): void {
  app.get(ROUTE.jwks.path, async (_request, reply) => sendJson(cacheFor(reply, JWKS_MAX_AGE), jwksJson()));
}
