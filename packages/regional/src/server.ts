// createRegionalServer: one area's API server. It trusts the global issuer's access tokens through
// @cxauth/verify alone, refuses tokens of other areas, and never calls the issuer on the happy path.
import {
  answerClientError,
  type ClientTimeouts,
  noteFailure,
  registerRequestLog,
  registerStrictHeaders,
  timeoutOptions,
} from '@cxauth/internal';
import {
  claimsOf,
  createVerifier,
  type DpopOptions,
  fastifyBearer,
  fileStore,
  type RevocationOptions,
  type Verifier,
} from '@cxauth/verify';
import Fastify, { type FastifyInstance } from 'fastify';
import { type AreaLookup, createAreaLookup } from './area-lookup.js';
import { type RegionalLoggerOption, regionalLoggerOptions } from './logger.js';
import type { AreaMetrics, RegionalMetrics } from './metrics.js';
import { formatServerTime, msToNs, preciseNowNs } from './server-time.js';

/**
 * How long a client may take, in milliseconds; each one left out is that of `cxauth serve` (headers
 * 10 000, request 15 000, keep-alive 72 000).
 */
export type RegionalTimeouts = Partial<ClientTimeouts>;

/** Options of {@link createRegionalServer}. */
export interface RegionalServerOptions {
  /** This server's area, e.g. `na1`: tokens whose `area` claim differs are refused. */
  area: string;
  /** The global issuer, exactly as in the tokens' `iss`. */
  issuer: string;
  /** Accepted `aud`. Default `cxauth-api`. */
  audience?: string;
  /** JWKS URL; by default read from the issuer's discovery document. */
  jwksUri?: string;
  /**
   * Fastify's `logger` option (`true`, or pino options such as `{ level, stream }`), or a pino-compatible
   * logger instance. Default off. One line per request: successes at debug, refusals at info, failures
   * at warn; never a header or a query string.
   */
  logger?: RegionalLoggerOption;
  /**
   * How long the issuer's JWKS is kept before it is fetched again, ms (also the least time between
   * fetches for unknown kids). Default: @cxauth/verify's. Keep it at most the issuer's JWKS
   * `max-age`, so a new key is known here before any token carries it.
   */
  jwksMaxAgeMs?: number;
  /**
   * The origin clients call this API at (`https://na1.api.example.com`): a DPoP proof's `htu` must
   * name it. Default: the request's protocol and `Host`.
   */
  origin?: string;
  /**
   * DPoP proofs (docs/verify.md, "DPoP"): `maxAgeSec` (default 60) and `nonce` (require this API's
   * nonces, RFC 9449 §9; default off). The `jti` of each proof is remembered by this process only.
   */
  dpop?: Pick<DpopOptions, 'maxAgeSec' | 'nonce'>;
  /** Milliseconds since the epoch; injected by tests (also drives ServerTime). */
  clock?: () => number;
  /** How long a slow client may take before a 408 (`cxauth serve` passes its CXAUTH_*_TIMEOUT_MS). */
  timeouts?: RegionalTimeouts;
  /**
   * Follow the issuer's revocation feed (docs/revocation.md). Default on: revoked sessions and
   * deactivated users, tenants, apps and keys are refused within seconds. `false` turns it off.
   */
  revocation?: boolean | Omit<RevocationOptions, 'onError'>;
  /**
   * The data folder (`CXAUTH_DATA_DIR`) where the last good JWKS and the feed's state are kept, so the
   * server restarted during an issuer outage still verifies. Default none (memory only).
   */
  dataDir?: string;
  /**
   * Where verifications, refusals and the JWKS age are counted (`createRegionalMetrics`; one registry
   * may serve many areas). Default: nothing is counted.
   */
  metrics?: RegionalMetrics;
}

/** The reference document's API path (docs/design.md, step 7). */
export const SERVER_TIME_PATH = '/inContactAPI/services/v25.0/server-time';

const JSON_TYPE = 'application/json; charset=utf-8';

function checkOptions(options: RegionalServerOptions): void {
  if (typeof options.area !== 'string' || !/^[A-Za-z0-9_-]+$/.test(options.area)) {
    throw new TypeError(`area must be a name such as "na1"; it is ${JSON.stringify(options.area)}`);
  }
  if (typeof options.issuer !== 'string' || !URL.canParse(options.issuer)) {
    throw new TypeError(`issuer must be an absolute URL; it is ${JSON.stringify(options.issuer)}`);
  }
}

/** Refuses, with the tenant's own api_endpoint when known, a token of a tenant from another area. */
function areaGuard(app: FastifyInstance, area: string, lookup: AreaLookup, metrics?: AreaMetrics): void {
  // A callback hook: the common case (this area) costs no promise.
  app.addHook('onRequest', (request, reply, done) => {
    const claims = claimsOf(request);
    if (!claims || claims.area === area) return done();
    metrics?.refused('wrong_area');
    lookup(claims.tenantId, claims.area).then((location) => {
      const where = location.apiEndpoint
        ? `its API at ${location.apiEndpoint}`
        : `the API of area ${claims.area}`;
      reply
        .code(403)
        .header('cache-control', 'no-store')
        .send({
          error: 'wrong_area',
          error_description: `Tenant ${claims.tenantId} belongs to area ${claims.area}, not ${area}; call ${where}`,
          area: claims.area,
          ...(location.apiEndpoint ? { api_endpoint: location.apiEndpoint } : {}),
        });
    }, done);
  });
}

function healthRoutes(app: FastifyInstance, verifier: Verifier, area: string): void {
  app.get('/healthz', async () => ({ status: 'ok', area }));
  app.get('/readyz', async (_request, reply) => {
    // ready() is throttled by the verifier, so probes cannot hammer an issuer that is down.
    if (!verifier.isReady) await verifier.ready().catch(() => undefined);
    if (verifier.isReady) {
      const revocation = verifier.revocationStatus();
      if (revocation === undefined || revocation.unpublished) return { status: 'ready', area };
      // How stale this server may be about revocations (lagMs, from the newest page's iat), for probes
      // and metrics; `synced` stays false until the first successful poll. A stale feed is named here
      // but stays 200: this server still verifies with the revocations it knows, and taking every
      // area out of its load balancer while the global service is down would turn one outage into
      // all of them (docs/revocation.md, "Freshness").
      const { position, entries, lastSyncAt, source, stale } = revocation;
      const lagMs = Number.isFinite(revocation.lagMs) ? revocation.lagMs : null;
      return {
        status: 'ready',
        area,
        revocation: { position, entries, lagMs, synced: lastSyncAt !== undefined, source, stale },
        ...(stale ? { warnings: ['revocation feed stale: no fresh page within staleAfter'] } : {}),
      };
    }
    return reply
      .code(503)
      .send({ status: 'unavailable', area, reason: "the issuer's signing keys are not loaded yet" });
  });
}

/**
 * Builds (without listening) the API server of one area: `GET /inContactAPI/services/v25.0/server-time`
 * behind bearer-token verification, `/healthz`, and `/readyz` (ready once the issuer's JWKS has loaded).
 * The JWKS starts loading at once, in the background.
 * @example
 * const app = await createRegionalServer({ area: 'na1', issuer: 'http://127.0.0.1:8080' });
 * await app.listen({ port: 8081, host: '127.0.0.1' });
 * @see RFC 6750, RFC 9068 §4
 */
export async function createRegionalServer(options: RegionalServerOptions): Promise<FastifyInstance> {
  checkOptions(options);
  const clock = options.clock ?? Date.now;
  const app = Fastify({
    ...regionalLoggerOptions(options.logger),
    ...timeoutOptions(options.timeouts),
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
  });
  // Without a logger the hook would only cost time: request.log writes nowhere.
  if (options.logger) registerRequestLog(app, { fields: { area: options.area } });
  const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
  // A feed that is down fails every poll: said once when it goes, once when it comes back; staleness
  // (no fresh page within staleAfter) likewise.
  let feedDown = false;
  let feedStale = false;
  const revocation = options.revocation ?? true;
  // Refused in the API's JSON error shape, before any route or token check.
  registerStrictHeaders(app, (refusal, reply) => {
    reply.code(refusal.status).header('cache-control', 'no-store').headers(refusal.headers);
    reply.send({ error: 'invalid_request', error_description: refusal.description });
  });
  const metrics = options.metrics?.area(options.area, clock);
  const discovery = '/.well-known/openid-configuration';
  const verifier = createVerifier({
    issuer: options.issuer,
    audience: options.audience ?? 'cxauth-api',
    ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
    ...(options.jwksMaxAgeMs !== undefined
      ? { jwksMaxAgeMs: options.jwksMaxAgeMs, jwksCooldownMs: Math.min(options.jwksMaxAgeMs, 30_000) }
      : {}),
    clock,
    ...(options.dpop ? { dpop: options.dpop } : {}),
    // Every fetch of the verifier but discovery is of the JWKS: its success starts the JWKS age.
    ...(metrics
      ? {
          fetch: async (url: string, init: RequestInit) => {
            const response = await fetch(url, init);
            if (response.ok && !url.endsWith(discovery)) metrics.jwksLoaded();
            return response;
          },
        }
      : {}),
    onJwksError: (err) =>
      app.log.warn({ area: options.area, reason: reason(err) }, 'JWKS load failed; last good keys kept'),
    ...(options.dataDir ? { store: fileStore(options.dataDir) } : {}),
    revocation: revocation && {
      ...(revocation === true ? {} : revocation),
      onError: (err) => {
        if (feedDown) return;
        feedDown = true;
        // With nothing polled and nothing saved, no revocation is known at all (docs/revocation.md).
        const knowsNone = verifier.revocationStatus()?.source === 'none';
        app.log.warn(
          { area: options.area, reason: reason(err) },
          knowsNone
            ? 'revocation feed unreachable and no revocations saved: tokens are accepted on their signature alone until the first successful poll'
            : 'revocation feed unreachable or its page refused; serving with the revocations last known',
        );
      },
    },
  });
  if (revocation) {
    const watch = setInterval(() => {
      const status = verifier.revocationStatus();
      if (feedDown && status?.lastError === undefined && status?.lastSyncAt !== undefined) {
        feedDown = false;
        app.log.info({ area: options.area, position: status.position }, 'revocation feed reachable again');
      }
      if (status !== undefined && status.stale !== feedStale && !status.unpublished) {
        feedStale = status.stale;
        const lagMs = Number.isFinite(status.lagMs) ? status.lagMs : null;
        if (feedStale)
          app.log.warn(
            { area: options.area, lagMs, reason: status.lastError },
            'revocation feed stale: no fresh page within staleAfter; serving with the revocations last known',
          );
        else app.log.info({ area: options.area, lagMs }, 'revocation feed fresh again');
      }
    }, 1_000);
    watch.unref();
    app.addHook('onClose', async () => clearInterval(watch));
  }
  app.addHook('onClose', () => verifier.close());
  const lookup = createAreaLookup({ issuer: options.issuer, clock });
  const now = options.clock ? () => msToNs(clock()) : preciseNowNs;

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', error_description: `No route for ${request.method} ${request.url}` }),
  );
  app.setErrorHandler((err: { statusCode?: number; message?: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      // Said once, on the request's own line (the message only: no stack, no request data).
      noteFailure(request, err.message ?? 'unexpected failure');
      return reply.code(500).send({ error: 'server_error', error_description: 'Unexpected failure' });
    }
    return reply
      .code(status)
      .send({ error: 'invalid_request', error_description: err.message ?? 'Bad request' });
  });

  healthRoutes(app, verifier, options.area);
  await app.register(async (api) => {
    await api.register(fastifyBearer, {
      verifier: metrics ? metrics.count(verifier) : verifier,
      realm: options.area,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
    });
    areaGuard(api, options.area, lookup, metrics);
    // The body has one fixed shape and only [0-9TZ:.-] in its value: built as text, not serialized.
    api.get(SERVER_TIME_PATH, (_request, reply) => {
      reply
        .header('cache-control', 'no-store')
        .type(JSON_TYPE)
        .send(`{"ServerTime":"${formatServerTime(now())}"}`);
    });
  });

  void verifier.ready().catch(() => undefined);
  return app;
}
