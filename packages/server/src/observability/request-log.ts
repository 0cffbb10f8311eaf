// The one log line per request of the service (@cxauth/internal's request log; Fastify's own two lines
// are turned off in server.ts), with the client address of http/client-address.ts.
import { registerRequestLog as registerLog } from '@cxauth/internal';
import type { FastifyInstance } from 'fastify';

/**
 * Logs every response as `{method, path, status, ms, address}`. Successful requests to `routine` paths
 * (public documents, probes; `log: 'debug'` in http/routes.ts) are logged at debug, everything else at
 * info.
 */
export function registerRequestLog(app: FastifyInstance, routine: ReadonlySet<string>): void {
  registerLog(app, {
    address: true,
    level: (status, path) => (status < 400 && routine.has(path) ? 'debug' : 'info'),
  });
}
