// Starting the global service for `cxauth serve`: open and migrate the database, load the keys, listen;
// closing drains the server first (http/drain.ts) and closes the database last.
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config/config.js';
import { tightenPrivateDir } from './files/private-files.js';
import { type DrainResult, drain } from './http/drain.js';
import { loadKek } from './keys/kek.js';
import { ensureActiveSigningKey } from './keys/signing-keys.js';
import type { LoggerOption } from './observability/logger.js';
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
  /**
   * Drains the server (http/drain.ts: in-flight requests finish, kept-alive sockets close cleanly,
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
  const storage = await openStorage(config.databaseUrl, config.databaseTimeouts);
  try {
    await storage.migrate();
    const kek = await loadKek(config);
    await ensureActiveSigningKey(storage, kek, new Date(), config.signingAlg);
    const hasher = new SecretHasher(kek);
    await options.beforeListen?.({ storage, kek, hasher });
    const app = await createServer({ config, storage, kek, hasher, logger: options.logger ?? 'stderr' });
    const url = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      storage,
      url,
      async close() {
        try {
          return await drain(app, config.timeouts.shutdownTimeoutMs);
        } finally {
          await storage.close();
        }
      },
    };
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
}
