// Opens the database named by a URL (`sqlite:<path>` or `postgres://…`): the only module that
// constructs a database driver.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Storage } from './contract/index.js';
import type { Database } from './kysely/schema.js';
import { cachingSqliteDatabase } from './kysely/statement-cache.js';
import { kyselyStorage } from './kysely/storage.js';

/** How long a SQLite writer waits for another process's write lock before failing, ms. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** The file path of a `sqlite:` URL (`sqlite:./data/x.db`, `sqlite:/abs/x.db`, `sqlite::memory:`). */
export function sqlitePath(databaseUrl: string): string {
  let rest = databaseUrl.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw new Error('a sqlite: database URL needs a file path, e.g. sqlite:./data/cxauth.db');
  return rest;
}

/**
 * Opens Storage over SQLite (better-sqlite3: WAL, busy_timeout, foreign keys on; the parent folder is
 * created) or PostgreSQL (a pg Pool). Does not migrate: call `storage.migrate()`.
 */
export async function openStorage(databaseUrl: string): Promise<Storage> {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = sqlitePath(databaseUrl);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const database = new Sqlite(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    return kyselyStorage(
      new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqliteDatabase(database) }) }),
      'sqlite',
    );
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    // An idle client's error (e.g. the server restarting) must not crash the process.
    pool.on('error', () => undefined);
    return kyselyStorage(
      new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      'postgres',
      () => ({
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
      }),
    );
  }
  throw new Error('the database URL must start with sqlite: or postgres://');
}
