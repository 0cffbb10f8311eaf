// The one log line per request (Fastify's own two lines are turned off in server.ts).
import type { FastifyInstance } from 'fastify';
import { pathOf } from './url-path.js';

/**
 * Logs every response as `{method, path, status, ms, address}` (the client address of
 * http/client-address.ts). Successful requests to `routine` paths (public
 * documents, probes; `log: 'debug'` in http/routes.ts) are logged at debug, everything else at info.
 */
export function registerRequestLog(app: FastifyInstance, routine: ReadonlySet<string>): void {
  app.addHook('onResponse', (request, reply, done) => {
    const path = pathOf(request.url);
    const level = reply.statusCode < 400 && routine.has(path) ? 'debug' : 'info';
    // Flat fields, no serializers: this line is written for every request (a disabled level is a no-op).
    const ms = Math.round(reply.elapsedTime);
    request.log[level](
      { method: request.method, path, status: reply.statusCode, ms, address: request.ip },
      'request',
    );
    done();
  });
}
