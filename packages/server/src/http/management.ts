// The management listener (CXAUTH_MANAGEMENT_PORT): `/metrics` in the Prometheus text format,
// `/healthz` and `/readyz`, on a plain node:http server of its own, so that scrapes and probes never
// share the public port, its CORS, its throttling or its request log.
import http from 'node:http';
import { listenPlain } from '@cxauth/internal';
import type { Registry } from 'prom-client';

export interface ManagementOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Resolves when the service is ready (the database answers); `/readyz` answers 503 otherwise. */
  readonly ready: () => Promise<void>;
  /** The body of a ready answer (endpoints/health.ts `readyBody`: the named checks). */
  readonly readyBody?: string;
  /** Told when a scrape failed (it is answered 500 with no detail). */
  readonly onError?: (err: unknown) => void;
}

/** A listening management server. */
export interface ManagementServer {
  /** `http://host:port`, the port chosen when 0 was asked for. */
  readonly url: string;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The answer to one management request. */
async function answer(options: ManagementOptions, req: http.IncomingMessage, res: http.ServerResponse) {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, JSON_TYPE, '{"error":"method_not_allowed"}');
  }
  switch (path) {
    case '/metrics':
      try {
        return send(res, 200, options.registry.contentType, await options.registry.metrics());
      } catch (err) {
        options.onError?.(err);
        return send(res, 500, JSON_TYPE, '{"error":"server_error"}');
      }
    case '/healthz':
      return send(res, 200, JSON_TYPE, '{"status":"ok"}');
    case '/readyz':
      try {
        await options.ready();
        return send(res, 200, JSON_TYPE, options.readyBody ?? '{"status":"ok"}');
      } catch {
        return send(res, 503, JSON_TYPE, '{"status":"unavailable"}');
      }
    default:
      return send(res, 404, JSON_TYPE, '{"error":"not_found"}');
  }
}

/**
 * Listens on `host:port` for `/metrics`, `/healthz` and `/readyz`; `close` stops it (open keep-alive
 * connections included).
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4)
 */
export async function startManagementServer(options: ManagementOptions): Promise<ManagementServer> {
  const server = http.createServer((req, res) => {
    answer(options, req, res).catch((err: unknown) => {
      options.onError?.(err);
      if (!res.headersSent) res.destroy();
    });
  });
  return listenPlain(server, options);
}
