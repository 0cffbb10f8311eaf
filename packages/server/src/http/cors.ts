// CORS per application: an Origin registered by any active application may call the public endpoints
// from a browser; others get no CORS headers. The origin set is cached and checked against the storage
// revision, one primary-key read per request that sends an Origin.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { allowOf, type Route } from './routes.js';

/**
 * Where the allowed origins come from: the origins of active applications, as of the request's storage
 * revision (storage/lookups.ts), so a deactivated application's origin loses CORS at once. Never
 * rejects: a failed read keeps the previous set (CORS must never turn into a 500).
 */
export interface OriginSource {
  allowedOrigins(request: FastifyRequest): Promise<ReadonlySet<string>>;
}

const PREFLIGHT_MAX_AGE = '600';

async function applyCors(
  cache: OriginSource,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  // The answer depends on Origin, so shared caches must key on it (Fetch standard, CORS protocol).
  reply.header('Vary', 'Origin');
  const origin = request.headers.origin;
  if (origin === undefined || !(await cache.allowedOrigins(request)).has(origin)) return false;
  reply.header('Access-Control-Allow-Origin', origin);
  return true;
}

/** The per-route hook: synchronous for requests without an Origin. */
function corsHook(cache: OriginSource): onRequestHookHandler {
  return (request, reply, done) => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return done();
    const allow = (origins: ReadonlySet<string>) => {
      if (origins.has(origin)) {
        reply.header('Access-Control-Allow-Origin', origin);
        reply.header('Access-Control-Expose-Headers', 'DPoP-Nonce, WWW-Authenticate');
      }
      done();
    };
    cache.allowedOrigins(request).then(allow, done);
  };
}

/**
 * Adds CORS to `routes` (error responses included, since the headers are set before the handler runs)
 * and answers their preflight requests. Call before the routes are registered.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function registerCors(app: FastifyInstance, cache: OriginSource, routes: readonly Route[]): void {
  const hook = corsHook(cache);
  const paths = new Set(routes.map((r) => r.path));
  app.addHook('onRoute', (route) => {
    if (!paths.has(route.url) || route.method === 'OPTIONS') return;
    // Route-level hooks run only where they apply: no lookup on every request of the service.
    const own = route.onRequest;
    route.onRequest = own === undefined ? [hook] : [hook, ...(Array.isArray(own) ? own : [own])];
  });
  for (const route of routes) {
    const methods = route.methods.join(', ');
    const allow = allowOf(route).join(', ');
    app.options(route.path, async (request, reply) => {
      if (await applyCors(cache, request, reply)) {
        reply.header('Access-Control-Allow-Methods', methods);
        // DPoP: a browser client sends its proof, and reads the server's nonce (RFC 9449 §8).
        reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, DPoP');
        reply.header('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
      }
      reply.header('Allow', allow);
      return reply.code(204).send();
    });
  }
}
