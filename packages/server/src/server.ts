// The composition root of the global service: builds the Fastify app from config, storage, secrets and
// keys (tests pass their own through the same parameters). start.ts listens for `cxauth serve`.

import { answerClientError, timeoutOptions } from '@cxauth/internal';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import pino from 'pino';
import { registerAdminApi } from './admin/api/index.js';
import { createAdminService } from './admin/service/admin.js';
import type { IssuerCheck } from './admin/service/issuer-record.js';
import type { ServerConfig } from './config/config.js';
import { registerAuthorize } from './endpoints/authorize/index.js';
import { registerConsole } from './endpoints/console.js';
import { registerDeviceAuthorization } from './endpoints/device-authorization.js';
import { registerDeviceVerify } from './endpoints/device-verify.js';
import { registerDiscovery } from './endpoints/discovery.js';
import { registerEmailVerification } from './endpoints/email-verification.js';
import { registerHealth } from './endpoints/health.js';
import { registerIntrospection } from './endpoints/introspect.js';
import { registerInvitation } from './endpoints/invitation.js';
import { registerJwks } from './endpoints/jwks.js';
import { registerLanding } from './endpoints/landing.js';
import { registerLogout } from './endpoints/logout.js';
import { registerPasskeys } from './endpoints/passkeys.js';
import { registerPasswordReset } from './endpoints/password-reset.js';
import { registerRevocations } from './endpoints/revocations.js';
import { registerRevocation } from './endpoints/revoke.js';
import { registerScim } from './endpoints/scim/index.js';
import { registerSso } from './endpoints/sso.js';
import { registerTenantConfiguration } from './endpoints/tenant-configuration.js';
import { registerTokenEndpoint } from './endpoints/token.js';
import { registerUserinfo } from './endpoints/userinfo.js';
import { enabledGrants, type GrantType } from './grants/index.js';
import { registerClientAddress } from './http/client-address.js';
import { registerCors } from './http/cors.js';
import { handleError, installErrorHandling } from './http/errors.js';
import { registerFormParser } from './http/form.js';
import { registerRequestMetrics } from './http/metrics.js';
import { allowedMethods, corsRoutes, enforceRoutes, ROUTE, routinePaths } from './http/routes.js';
import { registerStrictHeaders } from './http/strict.js';
import { scheduleKeyReload } from './keys/reload.js';
import { keyReload } from './keys/rotation.js';
import type { LoadedKeys } from './keys/signing-keys.js';
import { createMailWorker, smtpTransport } from './mail/worker.js';
import { failureMessage, PURGERS, schedulePurge } from './maintenance/purge.js';
import type { Audit } from './observability/audit.js';
import { type LoggerOption, loggerOptions } from './observability/logger.js';
import type { ServiceMetrics } from './observability/metrics.js';
import { registerRequestLog } from './observability/request-log.js';
import { revocationFeed } from './revocation/feed.js';
import type { Hasher } from './secrets/hasher.js';
import { createServices, type Services } from './services/index.js';
import type { Storage } from './storage/contract/index.js';
import type { SignInThrottle } from './throttling/sign-in.js';
import { createWebhookAdmin, type WebhookAdmin } from './webhooks/subscriptions.js';
import { createWebhookWorker } from './webhooks/worker.js';

export interface CreateServerOptions {
  readonly config: ServerConfig;
  readonly storage: Storage;
  /** The key-encryption key: used to build `hasher` and load `keys` when those are not given. */
  readonly kek?: Buffer;
  readonly hasher?: Hasher;
  readonly keys?: LoadedKeys;
  /** The time, injectable for tests. */
  readonly clock?: () => Date;
  readonly logger?: LoggerOption;
  /**
   * Reads the keys again (default with `kek`: rotates when due and loads them from storage); called
   * every `config.keyReloadMs`.
   */
  readonly reloadKeys?: () => Promise<LoadedKeys>;
  /** The grants to enable (default: all). */
  readonly grants?: readonly GrantType[];
  /** The audit trail (default: stored in `storage` and logged as JSON lines by the service logger). */
  readonly audit?: Audit;
  /** Runs the scheduled purge (default true; `cxauth serve` nodes all may, they take turns). */
  readonly purge?: boolean;
  /** Throttling of the sign-in form (default: the shared throttle of every credential check). */
  readonly signInThrottle?: SignInThrottle;
  /**
   * Where requests, grants, throttling, sessions, keys and the pool are measured (start.ts makes one
   * when CXAUTH_MANAGEMENT_PORT is set); omitted: nothing is measured.
   */
  readonly metrics?: ServiceMetrics;
  /** The built web console (default: the workspace's packages/console/dist). */
  readonly consoleDir?: string;
  /** This node's issuer against the database's (start.ts checks it), reported by `/readyz`. */
  readonly issuerCheck?: IssuerCheck;
  /** Runs the webhook delivery worker (default true, given a KEK; docs/webhooks.md). */
  readonly webhooks?: boolean;
}

/** The Fastify instance with the service's logger, limits and framework-error answers. */
function fastify(config: ServerConfig, logger: LoggerOption): FastifyInstance {
  let destination: ReturnType<typeof pino.destination> | undefined;
  const app = Fastify({
    logger: loggerOptions(logger, config.logLevel, () => {
      destination = pino.destination({ dest: 2, sync: false });
      return destination;
    }),
    // Fastify's two lines per request are replaced by the one of observability/request-log.ts.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    ...timeoutOptions(config.timeouts),
    return503OnClosing: true,
    // A URL the router cannot decode (a bad percent-escape) is answered by our serializer, not by
    // Fastify's own body, which has another shape and echoes the path.
    frameworkErrors: handleError,
    // Timeouts, oversized headers and malformed requests refused by Node itself, in the same shape.
    clientErrorHandler: answerClientError,
  });
  app.addHook('onClose', async () => {
    try {
      destination?.flushSync();
    } catch {
      // Nothing was pending, or the descriptor is gone: nothing left to save.
    }
  });
  return app;
}

/** The scheduled purge of every kind of expired record, stopped when the app closes. */
function schedulePurgeOf(
  app: FastifyInstance,
  services: Services,
  metrics: ServiceMetrics | undefined,
): void {
  const { config, storage, clock } = services;
  metrics?.purge.known(PURGERS.map((p) => p.name));
  const stop = schedulePurge(storage, {
    retention: config.retention,
    throttling: config.throttling,
    tokens: config.tokens,
    clock,
    onReport: (report) => app.log.info({ purged: report }, 'purge finished'),
    // One line per failed kind, with the message only (a driver error's detail may hold row values);
    // the other kinds have run, and this one is tried again next run.
    onFailure: (kind, err) => {
      metrics?.purge.failed(kind);
      app.log.error({ kind, error: failureMessage(err) }, 'purge of one kind failed');
    },
    onError: (err) => app.log.error({ error: failureMessage(err) }, 'purge could not run'),
  });
  app.addHook('onClose', stop);
}

/** Reads the signing keys again every `config.keyReloadMs` (rotating them when due, given the KEK). */
function scheduleReloadOf(app: FastifyInstance, services: Services, options: CreateServerOptions): void {
  const { config, storage, clock, audit, ring, timing } = services;
  const { kek } = options;
  const reload =
    kek &&
    keyReload({
      storage,
      kek,
      alg: config.signingAlg,
      timing,
      rotationDays: config.keyRotationDays,
      clock,
      log: app.log,
      audit,
    });
  const stop = scheduleKeyReload(
    app.log,
    ring,
    options.reloadKeys ?? (reload ? () => reload(ring.statuses) : undefined),
    config.keyReloadMs,
  );
  app.addHook('onClose', async () => stop());
}

/**
 * The webhook delivery worker of this node, stopped when the app closes (after the audit trail's last
 * batch is stored, which it may deliver next time), and the subscriptions' admin service.
 */
function scheduleWebhooksOf(
  app: FastifyInstance,
  services: Services,
  metrics: ServiceMetrics | undefined,
  kek: Buffer,
  run: boolean,
): WebhookAdmin {
  const { config, storage, clock, audit } = services;
  metrics?.webhooks.watch(() => storage.webhooks.queue(), clock);
  if (run) {
    const worker = createWebhookWorker({
      storage,
      kek,
      config: config.webhooks,
      clock,
      audit,
      log: app.log,
      ...(metrics ? { onAttempt: metrics.webhooks.attempted } : {}),
    });
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', () => worker.stop());
  }
  return createWebhookAdmin({ storage, kek, clock, audit, allowPrivate: config.webhooks.allowPrivate });
}

/**
 * The mail worker of this node (given a KEK and CXAUTH_SMTP_URL), stopped when the app closes: mail
 * written meanwhile waits in the outbox for this or another node.
 */
function scheduleMailOf(app: FastifyInstance, services: Services, metrics: ServiceMetrics | undefined): void {
  const { config, storage, clock, kek, mailer } = services;
  if (!kek || !mailer || !config.mail.smtpUrl) return;
  const worker = createMailWorker({
    storage,
    kek,
    config: config.mail,
    transport: smtpTransport(config.mail.smtpUrl, config.mail.timeoutMs),
    clock,
    log: app.log,
    ...(metrics ? { onAttempt: metrics.mail.attempted } : {}),
  });
  mailer.onSend(() => worker.kick());
  app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', () => worker.stop());
}

/**
 * Builds the global authentication service (not listening): the routes of http/routes.ts, CORS per
 * registered application origin, every error as RFC JSON.
 */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const { config, storage, metrics } = options;
  const app = fastify(config, options.logger ?? false);
  let services: Services;
  try {
    services = await createServices({ ...options, log: app.log });
  } catch (err) {
    await app.close();
    throw err;
  }
  const { clock, hasher, lookups, audit, ring, timing } = services;
  // First: every hook, handler and log line after it reads the client address from request.ip.
  registerClientAddress(app, config.trustedProxies);
  const routes = enforceRoutes(app);
  registerRequestLog(app, routinePaths());
  registerStrictHeaders(app);
  if (metrics) registerRequestMetrics(app, metrics);
  app.removeAllContentTypeParsers();
  registerFormParser(app, config.bodyLimit);
  installErrorHandling(app, allowedMethods());
  registerCors(app, lookups, corsRoutes());

  // Registered before anything that could log at close, so pending events are stored before the
  // database is closed (start.ts closes the app first).
  app.addHook('onClose', () => audit.flush());
  if (options.purge !== false) schedulePurgeOf(app, services, metrics);

  const grants = enabledGrants(options.grants);
  scheduleReloadOf(app, services, options);
  metrics?.watch({ storage, keyStatuses: () => ring.statuses, clock });
  registerDiscovery(app, config.issuer, [...grants.keys()], () => ring.algs);
  registerJwks(app, () => ring.jwksJson, config.jwksMaxAge);
  registerRevocations(
    app,
    revocationFeed({
      issuer: config.issuer,
      storage,
      sign: (claims) => ring.sign('secevent+jwt', claims),
      maxTokenAge: config.tokens.accessTokenTtl + config.tokens.clockTolerance,
      clock,
    }),
  );
  // Each endpoint takes the part of the one services object it reads (Pick<Services, …>).
  registerTokenEndpoint(app, services, grants);
  registerRevocation(app, services);
  registerIntrospection(app, services);
  registerUserinfo(app, services);
  const webhooks =
    services.kek && scheduleWebhooksOf(app, services, metrics, services.kek, options.webhooks !== false);
  registerAuthorize(app, services);
  registerSso(app, services);
  // RFC 8628: the device asks at /auth/device, the person answers at the verification page.
  registerDeviceAuthorization(app, services);
  registerDeviceVerify(app, services);
  registerPasskeys(app, services);
  registerLogout(app, services);
  registerPasswordReset(app, services);
  registerInvitation(app, services);
  registerEmailVerification(app, services);
  scheduleMailOf(app, services, metrics);
  registerTenantConfiguration(app, storage);
  registerHealth(app, storage, options.issuerCheck);
  registerConsole(app, options.consoleDir);
  registerLanding(app, config.issuer);
  await registerScim(app, services);
  await registerAdminApi(app, {
    // Audited per request as its signed-in user (admin/api/router.ts); the KEK enables the
    // signing-key and TOTP verbs, as for `cxauth admin`.
    admin: createAdminService(storage, hasher, clock, {
      passwordMinLength: config.mail.passwordMinLength,
      retention: config.retention,
      throttling: config.throttling,
      tokens: config.tokens,
      ...(services.kek
        ? {
            signing: { kek: services.kek, alg: config.signingAlg, timing },
            credentials: { kek: services.kek, issuer: config.issuer },
          }
        : {}),
      ...(services.mailer
        ? {
            invitations: {
              mailer: services.mailer,
              issuer: config.issuer,
              path: ROUTE.invitation.path,
              ttl: config.mail.invitationTtl,
            },
          }
        : {}),
    }),
    audit,
    storage,
    config,
    // The admin API is its own resource: it accepts only tokens whose `aud` names it (RFC 8707).
    verifier: ring.adminVerifier,
    dpop: services.dpop,
    clock,
    ...(webhooks ? { webhooks } : {}),
  });
  routes.check();
  return app;
}
