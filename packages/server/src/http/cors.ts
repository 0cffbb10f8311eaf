// CORS per application: an Origin registered by any active application may call the public endpoints
// from a browser; others get no CORS headers. The origin set is cached briefly, never read per request.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { allowOf, type Route } from './routes.js';

/** How long the origin set is trusted before it is read again, milliseconds. */
export const ORIGIN_CACHE_TTL_MS = 30_000;

/** The allowed origins, read from storage at most once per TTL (concurrent misses share one read). */
export class OriginCache {
  readonly #load: () => Promise<string[]>;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #onError: (err: unknown) => void;
  #origins: ReadonlySet<string> = new Set();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<ReadonlySet<string>> | undefined;

  constructor(options: {
    load: () => Promise<string[]>;
    now: () => number;
    ttlMs?: number;
    onError?: (err: unknown) => void;
  }) {
    this.#load = options.load;
    this.#now = options.now;
    this.#ttl = options.ttlMs ?? ORIGIN_CACHE_TTL_MS;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** The set when it is fresh, without waiting (the common case, no promise allocated). */
  fresh(): ReadonlySet<string> | undefined {
    return this.#now() - this.#loadedAt < this.#ttl ? this.#origins : undefined;
  }

  /** The current set; a failed read keeps the previous one (CORS must never turn into a 500). */
  async origins(): Promise<ReadonlySet<string>> {
    if (this.#now() - this.#loadedAt < this.#ttl) return this.#origins;
    this.#pending ??= this.#load()
      .then((list) => {
        this.#origins = new Set(list);
        this.#loadedAt = this.#now();
        return this.#origins;
      })
      .catch((err: unknown) => {
        this.#onError(err);
        return this.#origins;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  /** Forgets the set, so the next request reads it again (after an admin change, in tests). */
  invalidate(): void {
    this.#loadedAt = Number.NEGATIVE_INFINITY;
  }
}

const PREFLIGHT_MAX_AGE = '600';

async function applyCors(cache: OriginCache, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  // The answer depends on Origin, so shared caches must key on it (Fetch standard, CORS protocol).
  reply.header('Vary', 'Origin');
  const origin = request.headers.origin;
  if (origin === undefined || !(await cache.origins()).has(origin)) return false;
  reply.header('Access-Control-Allow-Origin', origin);
  return true;
}

/** The per-route hook: synchronous unless the origin set must be read again. */
function corsHook(cache: OriginCache): onRequestHookHandler {
  return (request, reply, done) => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return done();
    const allow = (origins: ReadonlySet<string>) => {
      if (origins.has(origin)) reply.header('Access-Control-Allow-Origin', origin);
      done();
    };
    const fresh = cache.fresh();
    if (fresh) return allow(fresh);
    cache.origins().then(allow, done);
  };
}

/**
 * Adds CORS to `routes` (error responses included, since the headers are set before the handler runs)
 * and answers their preflight requests. Call before the routes are registered.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function registerCors(app: FastifyInstance, cache: OriginCache, routes: readonly Route[]): void {
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
        reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        reply.header('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
      }
      reply.header('Allow', allow);
      return reply.code(204).send();
    });
  }
}
