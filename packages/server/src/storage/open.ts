// Opens the database named by a URL (`sqlite:<path>` or `postgres://…`): the only module that
// constructs a database driver.
import Sqlite from 'better-sqlite3';
import { Kysely } from 'kysely';
import { DATABASE_TIMEOUT_DEFAULTS, type DatabaseTimeouts } from '../config/storage.js';
import { preparePrivateDatabaseFile } from '../files/private-files.js';
import type { Storage } from './contract/index.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from './kysely/checkpointer.js';
import { TransactionPoolingDialect } from './kysely/pg-dialect.js';
import { faultAwarePool } from './kysely/pg-pool.js';
import type { Database } from './kysely/schema.js';
import { asyncBusySqliteDialect } from './kysely/sqlite-driver.js';
import { cachingSqliteDatabase } from './kysely/statement-cache.js';
import { kyselyStorage } from './kysely/storage.js';

/** How long opening a SQLite file (switching it to WAL) may wait for another process, ms. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

/** The file path of a `sqlite:` URL (`sqlite:./data/x.db`, `sqlite:/abs/x.db`, `sqlite::memory:`). */
export function sqlitePath(databaseUrl: string): string {
  let rest = databaseUrl.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw new Error('a sqlite: database URL needs a file path, e.g. sqlite:./data/cxauth.db');
  return rest;
}

export interface OpenOptions {
  /**
   * SQLite: checkpoint the WAL from a worker thread instead of inside commits (kysely/checkpointer.ts),
   * for a long-running service; a short-lived command leaves SQLite's own checkpoints on.
   */
  readonly backgroundCheckpoints?: boolean;
}

/**
 * Opens Storage over SQLite (better-sqlite3: WAL, foreign keys on, the parent folder created;
 * `busy_timeout = 0` with an asynchronous busy wait instead, see kysely/sqlite-driver.ts) or PostgreSQL
 * (a fault-aware pg Pool, see kysely/pg-pool.ts). Every wait on the database is bounded by `timeouts`
 * (config/storage.ts); past them storage throws StorageUnavailableError. Does not migrate: call
 * `storage.migrate()`.
 */
export async function openStorage(
  databaseUrl: string,
  timeouts: DatabaseTimeouts = DATABASE_TIMEOUT_DEFAULTS,
  options: OpenOptions = {},
): Promise<Storage> {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = sqlitePath(databaseUrl);
    if (file !== ':memory:') preparePrivateDatabaseFile(file);
    // Opening may wait synchronously for another process (nothing is served yet); afterwards SQLite's
    // own busy wait is off: it would sleep inside the synchronous driver, freezing the event loop.
    const database = new Sqlite(file, { timeout: OPEN_BUSY_TIMEOUT_MS });
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 0');
    const dialect = asyncBusySqliteDialect(cachingSqliteDatabase(database), timeouts);
    const storage = kyselyStorage(new Kysely<Database>({ dialect }), 'sqlite', timeouts);
    if (!options.backgroundCheckpoints || file === ':memory:') return storage;
    database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    const checkpointer = startCheckpointer(file);
    return {
      ...storage,
      async close() {
        await checkpointer.stop();
        await storage.close();
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pool = faultAwarePool(databaseUrl, timeouts);
    return kyselyStorage(
      new Kysely<Database>({ dialect: new TransactionPoolingDialect({ pool }) }),
      'postgres',
      timeouts,
      () => pool.stats(),
    );
  }
  throw new Error('the database URL must start with sqlite: or postgres://');
}
