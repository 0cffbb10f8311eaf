// Where the service keeps its state (the data folder and the database), and how long it waits for the
// database before answering 503 (docs/operations.md, "Database faults").
import path from 'node:path';
import { ConfigError, integer } from './env.js';

/** How long storage waits for the database, ms; past these it throws StorageUnavailableError. */
export interface DatabaseTimeouts {
  /** CXAUTH_DB_CONNECT_TIMEOUT_MS (1000): a new PostgreSQL connection, and a wait for a free one. */
  readonly connectTimeoutMs: number;
  /**
   * CXAUTH_DB_STATEMENT_TIMEOUT_MS (1500): one PostgreSQL statement, on the server
   * (`statement_timeout`) and on the client (`query_timeout`, which also ends a wait on a partitioned
   * network); `idle_in_transaction_session_timeout` is twice this.
   */
  readonly statementTimeoutMs: number;
  /**
   * CXAUTH_DB_LOCK_TIMEOUT_MS (1000): a row lock on PostgreSQL (`lock_timeout`); on SQLite, the
   * asynchronous wait for another process's write lock.
   */
  readonly lockTimeoutMs: number;
  /** CXAUTH_DB_RETRY_AFTER_SECONDS (1): the `Retry-After` of a 503 caused by the database. */
  readonly retryAfterSeconds: number;
  /**
   * CXAUTH_DB_FAILOVER_WAIT_MS (5000): how long a request whose PostgreSQL connection could not be
   * made, or died before its statement was sent, keeps trying for a new one (a planned switchover
   * behind HAProxy or PgBouncer takes a second or two) before answering 503 (docs/ha.md). 0: no wait.
   */
  readonly failoverWaitMs: number;
  /**
   * CXAUTH_DB_IN_DOUBT_WAIT_MS (12000): how long a write whose answer was lost after it was sent (it
   * may have committed) is read back before answering 503; longer than a failover takes, so that a
   * refresh rotation that committed is answered rather than left to a retry that would be reuse.
   */
  readonly inDoubtWaitMs: number;
}

export const DATABASE_TIMEOUT_DEFAULTS: DatabaseTimeouts = Object.freeze({
  connectTimeoutMs: 1000,
  statementTimeoutMs: 1500,
  lockTimeoutMs: 1000,
  retryAfterSeconds: 1,
  failoverWaitMs: 5000,
  inDoubtWaitMs: 12_000,
});

export interface StorageConfig {
  /** The data folder (CXAUTH_DATA_DIR, default ./data): the SQLite database and the generated KEK. */
  readonly dataDir: string;
  /** CXAUTH_DATABASE_URL: `sqlite:<file>` (default `$dataDir/cxauth.db`) or `postgres://…`. */
  readonly databaseUrl: string;
  readonly databaseTimeouts: DatabaseTimeouts;
}

/** Reads the CXAUTH_DB_* timeouts (each a whole number of ms, from 50 ms to 10 minutes). */
export function databaseTimeouts(env: NodeJS.ProcessEnv): DatabaseTimeouts {
  const d = DATABASE_TIMEOUT_DEFAULTS;
  const ms = (name: string, fallback: number) => integer(env, name, fallback, 50, 600_000);
  return Object.freeze({
    connectTimeoutMs: ms('CXAUTH_DB_CONNECT_TIMEOUT_MS', d.connectTimeoutMs),
    statementTimeoutMs: ms('CXAUTH_DB_STATEMENT_TIMEOUT_MS', d.statementTimeoutMs),
    lockTimeoutMs: ms('CXAUTH_DB_LOCK_TIMEOUT_MS', d.lockTimeoutMs),
    retryAfterSeconds: integer(env, 'CXAUTH_DB_RETRY_AFTER_SECONDS', d.retryAfterSeconds, 1, 3600),
    failoverWaitMs: integer(env, 'CXAUTH_DB_FAILOVER_WAIT_MS', d.failoverWaitMs, 0, 60_000),
    inDoubtWaitMs: integer(env, 'CXAUTH_DB_IN_DOUBT_WAIT_MS', d.inDoubtWaitMs, 0, 60_000),
  });
}

/** Reads CXAUTH_DATA_DIR, CXAUTH_DATABASE_URL and the CXAUTH_DB_* timeouts. */
export function storageConfig(env: NodeJS.ProcessEnv): StorageConfig {
  const dataDir = path.resolve(env['CXAUTH_DATA_DIR'] || './data');
  const databaseUrl = env['CXAUTH_DATABASE_URL'] || `sqlite:${path.join(dataDir, 'cxauth.db')}`;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('CXAUTH_DATABASE_URL must start with sqlite: or postgres://.');
  }
  return Object.freeze({ dataDir, databaseUrl, databaseTimeouts: databaseTimeouts(env) });
}
