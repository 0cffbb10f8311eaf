// The regional API's metrics (prom-client): verifications by outcome and code, refusals by reason, the
// age of the JWKS each area holds; one registry can serve every area of a process, labelled by area,
// on its own management listener (CXAUTH_API_MANAGEMENT_PORT in `cxauth serve`).
import http from 'node:http';
import { listenPlain } from '@cxauth/internal';
import type { AccessTokenClaims, Verifier } from '@cxauth/verify';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The metrics of the regional APIs of one process. */
export interface RegionalMetrics {
  readonly registry: Registry;
  /** The series of one area: wraps its verifier, counts its refusals, reports its JWKS age. */
  area(area: string, clock: () => number): AreaMetrics;
}

export interface AreaMetrics {
  /** The verifier, counting each verification by outcome (`accepted`, `refused`) and code. */
  count(verifier: Verifier): Verifier;
  /** A refused request, by reason: the token's error code, or `wrong_area`. */
  refused(reason: string): void;
  /** Records a successful JWKS fetch (its age is reported from then). */
  jwksLoaded(): void;
}

type Counted = { inc(): void };

/** Builds the registry, with Node's default process metrics. */
export function createRegionalMetrics(): RegionalMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const verifications = new Counter({
    name: 'cxauth_api_verifications_total',
    help: 'Access tokens verified, by area, outcome (accepted, refused) and error code (empty when accepted).',
    labelNames: ['area', 'outcome', 'code'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'cxauth_api_refusals_total',
    help: 'Requests refused, by area and reason (the token error code, or wrong_area).',
    labelNames: ['area', 'reason'],
    registers: [registry],
  });
  const loaded = new Map<string, { at: number; clock: () => number }>();
  new Gauge({
    name: 'cxauth_api_jwks_age_seconds',
    help: "Seconds since each area's verifier last fetched the issuer's JWKS (absent until it has).",
    labelNames: ['area'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [area, { at, clock }] of loaded) {
        if (Number.isFinite(at)) this.labels(area).set(Math.max(0, (clock() - at) / 1000));
      }
    },
  });
  return {
    registry,
    area(area, clock) {
      const entry = { at: Number.NEGATIVE_INFINITY, clock };
      loaded.set(area, entry);
      const accepted = verifications.labels(area, 'accepted', '');
      const refusedBy = new Map<string, { verification: Counted; request: Counted }>();
      /** A refused verification is a refused request too (the bearer hook answers it). */
      const refuse = (code: string) => {
        let child = refusedBy.get(code);
        if (!child) {
          child = {
            verification: verifications.labels(area, 'refused', code),
            request: refusals.labels(area, code),
          };
          refusedBy.set(code, child);
        }
        child.verification.inc();
        child.request.inc();
      };
      return {
        count(verifier) {
          const ok = (claims: AccessTokenClaims) => {
            accepted.inc();
            return claims;
          };
          const failed = (err: unknown): never => {
            refuse(String((err as { code?: unknown }).code ?? 'unknown'));
            throw err;
          };
          return {
            verify: (token) => verifier.verify(token).then(ok, failed),
            verifyAuthorization: (header) => verifier.verifyAuthorization(header).then(ok, failed),
            verifyRequest: (request) => verifier.verifyRequest(request).then(ok, failed),
            dpopNonce: () => verifier.dpopNonce(),
            cachedAuthorization(header) {
              const claims = verifier.cachedAuthorization(header);
              if (claims) accepted.inc();
              return claims;
            },
            verifyIdToken: (token, options) => verifier.verifyIdToken(token, options),
            ready: () => verifier.ready(),
            get isReady() {
              return verifier.isReady;
            },
            revocationStatus: () => verifier.revocationStatus(),
            close: () => verifier.close(),
          };
        },
        refused: (reason) => refusals.labels(area, reason).inc(),
        jwksLoaded() {
          entry.at = clock();
        },
      };
    },
  };
}

/** A listening management server of the regional APIs. */
export interface RegionalManagementServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz` on `host:port`.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export async function serveRegionalMetrics(
  metrics: RegionalMetrics,
  options: { host: string; port: number },
): Promise<RegionalManagementServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return reply(405, 'application/json', '{"error":"method_not_allowed"}');
    if (path === '/healthz') return reply(200, 'application/json', '{"status":"ok"}');
    if (path !== '/metrics') return reply(404, 'application/json', '{"error":"not_found"}');
    metrics.registry.metrics().then(
      (text) => reply(200, metrics.registry.contentType, text),
      () => reply(500, 'application/json', '{"error":"server_error"}'),
    );
  });
  return listenPlain(server, options);
}
