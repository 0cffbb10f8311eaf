// The composition root of the global service: builds the Fastify app from config, storage, secrets and
// keys (tests pass their own through the same parameters). start.ts listens for `cxauth serve`.
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import pino from 'pino';
import { registerAdminApi } from './admin/api/index.js';
import { createAdmin } from './admin/service/admin.js';
import type { ServerConfig } from './config/config.js';
import { registerDiscovery } from './endpoints/discovery.js';
import { registerHealth } from './endpoints/health.js';
import { registerJwks } from './endpoints/jwks.js';
import { registerTenantConfiguration } from './endpoints/tenant-configuration.js';
import { registerTokenEndpoint } from './endpoints/token.js';
import { registerUserinfo } from './endpoints/userinfo.js';
import { enabledGrants, type GrantType } from './grants/index.js';
import { registerCors } from './http/cors.js';
import { handleError, installErrorHandling } from './http/errors.js';
import { registerFormParser } from './http/form.js';
import { allowedMethods, corsRoutes, enforceRoutes, routinePaths } from './http/routes.js';
import { KeyRing } from './keys/key-ring.js';
import { scheduleKeyReload } from './keys/reload.js';
import { type LoadedKeys, loadSigningKeys } from './keys/signing-keys.js';
import { type LoggerOption, loggerOptions } from './observability/logger.js';
import { registerRequestLog } from './observability/request-log.js';
import { SecretHasher } from './secrets/random-secrets.js';
import type { Storage } from './storage/contract/index.js';
import { createLookups } from './storage/lookups.js';
import { TokenIssuer } from './tokens/issuer.js';
import type { Hasher } from './tokens/refresh-token.js';

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
  /** Reads the keys again (default with `kek`: from storage); called every KEY_RELOAD_MS. */
  readonly reloadKeys?: () => Promise<LoadedKeys>;
  /** The grants to enable (default: all). */
  readonly grants?: readonly GrantType[];
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
    return503OnClosing: true,
    // A URL the router cannot decode (a bad percent-escape) is answered by our serializer, not by
    // Fastify's own body, which has another shape and echoes the path.
    frameworkErrors: handleError,
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

/**
 * Builds the global authentication service (not listening): the routes of http/routes.ts, CORS per
 * registered application origin, every error as RFC JSON.
 */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const { config, storage } = options;
  const clock = options.clock ?? (() => new Date());
  const hasher = options.hasher ?? (options.kek ? new SecretHasher(options.kek) : undefined);
  const keys = options.keys ?? (options.kek ? await loadSigningKeys(storage, options.kek) : undefined);
  if (!hasher || !keys) throw new Error('createServer needs `kek`, or both `hasher` and `keys`');

  const app = fastify(config, options.logger ?? false);
  const routes = enforceRoutes(app);
  registerRequestLog(app, routinePaths());
  app.removeAllContentTypeParsers();
  registerFormParser(app, config.bodyLimit);
  installErrorHandling(app, allowedMethods());
  const lookups = createLookups(storage, {
    onOriginsError: (err) => app.log.warn({ err }, 'could not read CORS origins'),
  });
  registerCors(app, lookups, corsRoutes());

  const grants = enabledGrants(options.grants);
  const ring = new KeyRing(keys, {
    issuer: config.issuer,
    audience: config.tokens.audience,
    clockTolerance: config.tokens.clockTolerance,
    clock: () => clock().getTime(),
  });
  const { kek } = options;
  scheduleKeyReload(app, ring, options.reloadKeys ?? (kek ? () => loadSigningKeys(storage, kek) : undefined));
  const tokens = new TokenIssuer({
    signer: ring,
    issuer: config.issuer,
    audience: config.tokens.audience,
    accessTokenTtl: config.tokens.accessTokenTtl,
  });
  registerDiscovery(app, config.issuer, [...grants.keys()]);
  registerJwks(app, () => ring.jwksJson);
  registerTokenEndpoint(app, {
    grants,
    grantDeps: { config, storage, hasher, tokens, lookups },
    clock,
  });
  registerUserinfo(app, {
    verifier: ring.verifier,
    storage,
    clock,
  });
  registerTenantConfiguration(app, storage);
  registerHealth(app, storage);
  await registerAdminApi(app, {
    admin: createAdmin(storage, hasher, clock),
    storage,
    config,
    verifier: ring.verifier,
    clock,
  });
  routes.check();
  return app;
}
