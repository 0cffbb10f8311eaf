// The composition root of the global service: builds the Fastify app from config, storage, secrets and
// keys (tests pass their own through the same parameters), and starts it for `cxauth serve`.
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import pino from 'pino';
import type { ServerConfig } from './config/config.js';
import { loadKek } from './crypto/kek.js';
import { SecretHasher } from './crypto/secrets.js';
import { ensureActiveSigningKey, type LoadedKeys, loadSigningKeys } from './crypto/signing-keys.js';
import type { GrantType } from './domain/types.js';
import { CXONE_CONFIGURATION_PATH, registerCxoneConfiguration } from './endpoints/cxone-configuration.js';
import { DISCOVERY_PATH, registerDiscovery } from './endpoints/discovery.js';
import { HEALTHZ_PATH, READYZ_PATH, registerHealth } from './endpoints/health.js';
import { JWKS_PATH, registerJwks } from './endpoints/jwks.js';
import { registerTokenEndpoint, TOKEN_PATH } from './endpoints/token.js';
import { registerUserinfo, USERINFO_PATH } from './endpoints/userinfo.js';
import { enabledGrants } from './grants/index.js';
import { createLookups } from './grants/lookups.js';
import { OriginCache, registerCors } from './http/cors.js';
import { handleError, installErrorHandling, pathOf } from './http/errors.js';
import { registerFormParser } from './http/form.js';
import { openStorage } from './storage/open.js';
import type { Storage } from './storage/storage.js';
import { TokenIssuer } from './tokens/issue.js';
import { KEY_RELOAD_MS, KeyRing } from './tokens/key-ring.js';
import type { Hasher } from './tokens/refresh-token.js';

/**
 * Where logs go: off, on (stdout at config.logLevel), `'stderr'` (written asynchronously, so a busy
 * service does not wait on a terminal or pipe per line), or a stream (tests read what was logged).
 */
export type LoggerOption = boolean | 'stderr' | { stream: NodeJS.WritableStream; level?: string };

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
  /** Lifetime of the cached application and access-key lookups, ms (default 5000; 0 disables). */
  readonly lookupCacheTtlMs?: number;
  /** The grants to enable (default: all). */
  readonly grants?: readonly GrantType[];
}

/** Browser-callable endpoints and their methods (CORS, preflight). */
const CORS_PATHS = new Map<string, readonly string[]>([
  [DISCOVERY_PATH, ['GET']],
  [TOKEN_PATH, ['POST']],
  [JWKS_PATH, ['GET']],
  [USERINFO_PATH, ['GET', 'POST']],
  [CXONE_CONFIGURATION_PATH, ['GET']],
]);

/** Every route and its methods, for 405 answers with `Allow`. */
const ROUTES = new Map<string, readonly string[]>([
  ...[...CORS_PATHS].map(([path, methods]): [string, readonly string[]] => [path, [...methods, 'OPTIONS']]),
  [HEALTHZ_PATH, ['GET']],
  [READYZ_PATH, ['GET']],
]);

/** Paths whose successful requests are logged at debug level (discovery, keys, probes). */
const ROUTINE_PATHS = new Set([DISCOVERY_PATH, JWKS_PATH, HEALTHZ_PATH, READYZ_PATH]);

/**
 * Logger settings: one line per request, and nothing secret. The request serializer keeps method and
 * path only (no query, no headers), and redaction covers anything that slips into a log object.
 */
function loggerOptions(
  option: LoggerOption,
  level: string,
  stderr: () => pino.DestinationStream,
): FastifyServerOptions['logger'] {
  if (option === false) return false;
  const custom = typeof option === 'object' ? option : undefined;
  return {
    level: custom?.level ?? level,
    ...(custom ? { stream: custom.stream } : option === 'stderr' ? { stream: stderr() } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.body',
        'body',
        '*.client_secret',
        '*.password',
        '*.refresh_token',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        path: pathOf(req.url),
        remoteAddress: req.ip,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * Reloads the keys periodically, so a key added or retired by another node sharing the database is
 * published, verified and (when newest) used here too. A failed reload keeps the current keys.
 */
function scheduleKeyReload(app: FastifyInstance, ring: KeyRing, options: CreateServerOptions): void {
  const { kek, storage } = options;
  const reload = options.reloadKeys ?? (kek ? () => loadSigningKeys(storage, kek) : undefined);
  if (!reload) return;
  const timer = setInterval(() => {
    reload()
      .then((keys) => ring.update(keys))
      .catch((err: unknown) => app.log.warn({ err }, 'signing key reload failed; keeping the current keys'));
  }, KEY_RELOAD_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

/**
 * Builds the global authentication service (not listening). Routes: discovery, token, JWKS, userinfo,
 * tenant discovery, health; CORS per registered application origin; every error as RFC JSON.
 */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const { config, storage } = options;
  const clock = options.clock ?? (() => new Date());
  const hasher = options.hasher ?? (options.kek ? new SecretHasher(options.kek) : undefined);
  const keys = options.keys ?? (options.kek ? await loadSigningKeys(storage, options.kek) : undefined);
  if (!hasher || !keys) throw new Error('createServer needs `kek`, or both `hasher` and `keys`');

  let destination: ReturnType<typeof pino.destination> | undefined;
  const app = Fastify({
    logger: loggerOptions(options.logger ?? false, config.logLevel, () => {
      destination = pino.destination({ dest: 2, sync: false });
      return destination;
    }),
    // Fastify's two lines per request are replaced by the one onResponse line below.
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
  app.addHook('onResponse', (request, reply, done) => {
    const path = pathOf(request.url);
    // Successful reads of public documents and probes are routine: debug, not the access log.
    const level = reply.statusCode < 400 && ROUTINE_PATHS.has(path) ? 'debug' : 'info';
    // Flat fields, no serializers: this line is written for every request (a disabled level is a no-op).
    const ms = Math.round(reply.elapsedTime);
    request.log[level]({ method: request.method, path, status: reply.statusCode, ms }, 'request');
    done();
  });
  app.removeAllContentTypeParsers();
  registerFormParser(app, config.bodyLimit);
  installErrorHandling(app, ROUTES);
  const origins = new OriginCache({
    load: () => storage.applications.listActiveOrigins(),
    now: () => clock().getTime(),
    onError: (err) => app.log.warn({ err }, 'could not read CORS origins'),
  });
  registerCors(app, origins, CORS_PATHS);

  const grants = enabledGrants(options.grants);
  const ring = new KeyRing(keys, {
    issuer: config.issuer,
    audience: config.tokens.audience,
    clockTolerance: config.tokens.clockTolerance,
    clock: () => clock().getTime(),
  });
  scheduleKeyReload(app, ring, options);
  const tokens = new TokenIssuer({
    signer: ring,
    issuer: config.issuer,
    audience: config.tokens.audience,
    accessTokenTtl: config.tokens.accessTokenTtl,
  });
  registerDiscovery(app, config.issuer, [...grants.keys()]);
  registerJwks(app, () => ring.jwksJson);
  const lookups = createLookups(storage, () => clock().getTime(), options.lookupCacheTtlMs);
  registerTokenEndpoint(app, {
    grants,
    clientAuth: { getApplication: lookups.application, hasher },
    grantDeps: { config, storage, hasher, tokens, lookups },
    clock,
  });
  registerUserinfo(app, {
    verifier: ring.verifier,
    storage,
    clock,
  });
  registerCxoneConfiguration(app, storage);
  registerHealth(app, storage);
  return app;
}

/** A started global service. */
export interface RunningAuthService {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  /** The URL it listens on (may differ from the issuer behind a proxy). */
  readonly url: string;
  /** Stops listening, then closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: LoggerOption;
  /** Runs after migration and before listening (e.g. seeding the demo). */
  readonly beforeListen?: (context: { storage: Storage; kek: Buffer; hasher: SecretHasher }) => Promise<void>;
}

/**
 * Opens and migrates the database, loads the KEK, makes sure a signing key is active, builds the app
 * and listens on `config.host:config.port`.
 */
export async function startAuthService(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningAuthService> {
  const storage = await openStorage(config.databaseUrl);
  try {
    await storage.migrate();
    const kek = await loadKek(config);
    await ensureActiveSigningKey(storage, kek, new Date());
    const hasher = new SecretHasher(kek);
    await options.beforeListen?.({ storage, kek, hasher });
    const app = await createServer({ config, storage, kek, hasher, logger: options.logger ?? 'stderr' });
    const url = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      storage,
      url,
      async close() {
        await app.close();
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
}
