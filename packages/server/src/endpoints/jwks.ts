// GET /auth/jwks: the public signing keys, for resource servers verifying tokens statelessly.
import type { FastifyInstance } from 'fastify';
import { KEY_DEFAULTS } from '../config/keys.js';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';

/** Default max-age, seconds: a new key is published longer than this before it signs. */
export const JWKS_MAX_AGE = KEY_DEFAULTS.jwksMaxAge;

/**
 * Registers the JWKS endpoint; `jwksJson` is the current document (keys may be reloaded).
 * @see RFC 7517 §5
 */
export function registerJwks(
  app: FastifyInstance,
  jwksJson: () => string,
  maxAge: number = JWKS_MAX_AGE,
): void {
  app.get(ROUTE.jwks.path, async (_request, reply) => sendJson(cacheFor(reply, maxAge), jwksJson()));
}
