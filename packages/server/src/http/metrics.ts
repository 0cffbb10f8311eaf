// Request metrics: one onResponse hook that counts each answered request by its route name (from
// http/routes.ts), status class and OAuth error code, observes its latency, and counts token requests
// by grant type. Label children are looked up once per route and cached (observability/metrics.ts).
import type { FastifyInstance } from 'fastify';
import { GRANT_TYPES } from '../grants/index.js';
import type { RouteSeries, ServiceMetrics } from '../observability/metrics.js';
import { OAUTH_ERROR } from './errors.js';
import { ROUTE, ROUTES } from './routes.js';

/** Registers the hook: `grant_type` is read only on token requests, and only a known one is a label. */
export function registerRequestMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  const byPath = new Map<string, RouteSeries>(ROUTES.map((r) => [r.path, metrics.route(r.name)]));
  const unmatched = metrics.route('unmatched');
  const grants = new Map(GRANT_TYPES.map((g) => [g as string, metrics.grant(g)]));
  const otherGrant = metrics.grant('other');
  app.addHook('onResponse', (request, reply, done) => {
    const path = request.routeOptions.url;
    const error = reply[OAUTH_ERROR];
    (path === undefined ? unmatched : (byPath.get(path) ?? unmatched)).observe(
      reply.statusCode,
      error,
      reply.elapsedTime / 1000,
    );
    if (path === ROUTE.token.path) {
      const grantType = (request.body as Record<string, unknown> | undefined)?.['grant_type'];
      const series = (typeof grantType === 'string' && grants.get(grantType)) || otherGrant;
      series.count(error ?? 'success');
    }
    done();
  });
}
