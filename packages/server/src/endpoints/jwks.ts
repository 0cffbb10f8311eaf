// GET /auth/jwks: the public signing keys, for resource servers verifying tokens statelessly.
import type { FastifyInstance } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';

export const JWKS_PATH = '/auth/jwks';

/** Short enough that a new key is picked up well before it signs alone. */
export const JWKS_MAX_AGE = 300;

/** A public RSA key as published: private members never appear (RFC 7517 §4, RFC 7518 §6.3.1). */
export interface PublishedJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/**
 * Registers the JWKS endpoint. Each key is copied member by member so nothing private can leak.
 * @see RFC 7517 §5
 */
export function registerJwks(app: FastifyInstance, keys: readonly PublishedJwk[]): void {
  const json = JSON.stringify({
    keys: keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, use, alg, kid, n, e })),
  });
  app.get(JWKS_PATH, async (_request, reply) => sendJson(cacheFor(reply, JWKS_MAX_AGE), json));
}
