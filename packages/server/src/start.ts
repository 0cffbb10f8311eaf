// Starting the global service for `cxauth serve`: open and migrate the database, load the keys, listen
// (and, with CXAUTH_MANAGEMENT_PORT, serve metrics and probes beside it); closing drains the server
// first (@cxauth/internal's drain) and closes the database last.

import { type DrainResult, drain } from '@cxauth/internal';
import type { FastifyInstance } from 'fastify';
import { checkIssuer, type IssuerCheck, issuerWarning } from './admin/service/issuer-record.js';
import type { ServerConfig } from './config/config.js';
import { readyBody } from './endpoints/health.js';
import { tightenPrivateDir } from './files/private-files.js';
import { type ManagementServer, startManagementServer } from './http/management.js';
import { loadKek } from './keys/kek.js';
import { keyEvent } from './keys/rotation.js';
import { ensureActiveSigningKey } from './keys/signing-keys.js';
import { type Audit, createAudit } from './observability/audit.js';
import type { LoggerOption } from './observability/logger.js';
import { createServiceMetrics } from './observability/metrics.js';
import { SecretHasher } from './secrets/random-secrets.js';
import { createServer } from './server.js';
import type { Storage } from './storage/contract/index.js';
import { openStorage } from './storage/open.js';

/** A started global service. */
export interface RunningAuthService {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  /** The URL it listens on (may differ from the issuer behind a proxy). */
  readonly url: string;
  /** The management listener's URL (`/metrics`, `/healthz`, `/readyz`), when CXAUTH_MANAGEMENT_PORT is set. */
  readonly managementUrl: string | undefined;
  /** This node's issuer against the one recorded in the database by the first node started on it. */
  readonly issuerCheck: IssuerCheck;
  /**
   * Drains the server (@cxauth/internal's drain: in-flight requests finish, kept-alive sockets close cleanly,
   * every socket is closed after CXAUTH_SHUTDOWN_TIMEOUT_MS), then closes the database.
   */
  close(): Promise<DrainResult>;
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
  // A data folder left 0777 (a permissive umask, an older version) would let a local user swap its kek.
  tightenPrivateDir(config.dataDir);
  const storage = await openStorage(config.databaseUrl, config.databaseTimeouts, {
    backgroundCheckpoints: true,
  });
  // Closed before the database on a failed start (a port in use): its onClose hooks stop what its
  // onReady started (the webhook worker), which would otherwise poll a closed database.
  let started: FastifyInstance | undefined;
  try {
    await storage.migrate();
    const issuerCheck = await checkIssuer(storage, config.issuer);
    const kek = await loadKek(config);
    const created = await ensureActiveSigningKey(storage, kek, new Date(), config.signingAlg);
    const hasher = new SecretHasher(kek);
    await options.beforeListen?.({ storage, kek, hasher });
    // Built here rather than in createServer, so the first key's creation is recorded in it.
    let log: FastifyInstance['log'] | undefined;
    const audit: Audit = createAudit({
      store: storage.auditEvents,
      atomically: storage.atomically,
      log: (line, message) => log?.info(line, message),
      onError: (err) => log?.error({ err }, 'could not store audit events'),
    });
    const metrics = config.managementPort === undefined ? undefined : createServiceMetrics();
    const app = await createServer({
      config,
      storage,
      kek,
      hasher,
      audit,
      logger: options.logger ?? 'stderr',
      issuerCheck,
      ...(metrics ? { metrics } : {}),
    });
    log = app.log;
    started = app;
    if (issuerCheck.status === 'differs') {
      app.log.warn(
        { configured: issuerCheck.configured, recorded: issuerCheck.recorded },
        issuerWarning(issuerCheck),
      );
    }
    const url = await app.listen({ host: config.host, port: config.port });
    // Recorded once the node serves: a start that fails (a port in use) says only why.
    if (created) {
      const first = (await storage.signingKeys.list())[0];
      if (first) {
        // Stored before the start returns, in a transaction of its own (docs/webhooks.md).
        await keyEvent(app.log, { type: 'signing_key.created', kid: first.kid, alg: first.alg }, audit).catch(
          (err: unknown) =>
            app.log.error({ err }, 'could not store the audit event of the first signing key'),
        );
      }
    }
    let management: ManagementServer | undefined;
    if (metrics && config.managementPort !== undefined) {
      management = await startManagementServer({
        host: config.host,
        port: config.managementPort,
        registry: metrics.registry,
        ready: () => storage.ping(),
        readyBody: readyBody(issuerCheck),
        onError: (err) => app.log.error({ err }, 'metrics scrape failed'),
      }).catch(async (err: unknown) => {
        await app.close();
        throw err;
      });
    }
    return {
      app,
      storage,
      url,
      managementUrl: management?.url,
      issuerCheck,
      async close() {
        try {
          // Probes see the service going away first; then in-flight requests drain.
          await management?.close();
          return await drain(app, config.timeouts.shutdownTimeoutMs);
        } finally {
          await storage.close();
        }
      },
    };
  } catch (err) {
    await started?.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw err;
  }
}
