// Kysely's SQLite driver with an asynchronous busy wait. better-sqlite3 is synchronous: with SQLite's
// own `busy_timeout` a writer that finds another process holding the write lock sleeps inside the
// driver call, and the whole event loop (every request, the regional API, /healthz) stops with it. So
// the database is opened with `busy_timeout = 0` and a busy statement is retried here, on timers, with
// a short backoff, until the lock timeout; then storage answers StorageUnavailableError (a 503).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompiledQuery as Compiled,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { isSqliteBusy, isSqliteFault, StorageUnavailableError } from '../errors.js';

/** The first pause after a busy answer, ms; each next one doubles, up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 1;
const MAX_BACKOFF_MS = 25;
/** Busy answers closer together than this belong to one episode of a held lock, ms. */
const EPISODE_GAP_MS = 100;

export interface SqliteWaits {
  /** How long a statement may wait for another process's write lock, ms, counted from the request. */
  readonly lockTimeoutMs: number;
  readonly retryAfterSeconds: number;
}

/**
 * The one connection, retrying a busy statement asynchronously. A statement either succeeds at once
 * (the hot path: one extra call frame, nothing allocated) or throws synchronously, and only then does
 * the retry loop start.
 */
class BusyRetryingConnection implements DatabaseConnection {
  /** When waiting must stop: set on each acquisition, so time spent queued behind others counts. */
  deadline = 0;
  /**
   * When the current episode of busy answers began, and the last busy answer. Statements queued
   * behind a waiting one (the connection is one, behind a mutex) share its episode: once the lock
   * timeout has passed since the episode began they fail at once instead of waiting in turn.
   */
  #episodeStart = 0;
  #lastBusy = Number.NEGATIVE_INFINITY;
  constructor(
    readonly inner: DatabaseConnection,
    private readonly waits: SqliteWaits,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const result = this.inner.executeQuery<R>(query);
      // A write (or BEGIN) that went through means the lock is free: the busy episode, if any, is
      // over. Reads go through during another's write lock (WAL) and say nothing about it.
      // (Prepared queries are raw SQL to Kysely, so the text tells: 115 is "s" of select.)
      if (query.sql.charCodeAt(0) !== 115) this.#lastBusy = Number.NEGATIVE_INFINITY;
      return result;
    } catch (err) {
      return this.#retry<R>(query, err);
    }
  }

  async #retry<R>(query: CompiledQuery, first: unknown): Promise<QueryResult<R>> {
    let err = first;
    let backoff = FIRST_BACKOFF_MS;
    if (isSqliteBusy(err)) {
      const now = performance.now();
      if (now - this.#lastBusy > EPISODE_GAP_MS) this.#episodeStart = now;
      this.#lastBusy = now;
    }
    const deadline = Math.min(this.deadline, this.#episodeStart + this.waits.lockTimeoutMs);
    while (isSqliteBusy(err)) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await sleep(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      try {
        const result = await this.inner.executeQuery<R>(query);
        this.#lastBusy = Number.NEGATIVE_INFINITY;
        return result;
      } catch (again) {
        err = again;
        this.#lastBusy = performance.now();
      }
    }
    if (isSqliteFault(err)) {
      const reason = isSqliteBusy(err) ? 'locked by another process' : 'the database file failed';
      throw new StorageUnavailableError(reason, this.waits.retryAfterSeconds, { cause: err });
    }
    throw err;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** Kysely's SqliteDriver (one connection behind a mutex), its connection wrapped in the busy retry. */
class AsyncBusyDriver implements Driver {
  readonly #inner: SqliteDriver;
  readonly #waits: SqliteWaits;
  #connection: BusyRetryingConnection | undefined;

  constructor(database: SqliteDatabase, waits: SqliteWaits) {
    this.#inner = new SqliteDriver({ database });
    this.#waits = waits;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // Counted from before the mutex: requests queued behind a waiting one must not wait again in turn.
    const start = performance.now();
    const inner = await this.#inner.acquireConnection();
    if (this.#connection?.inner !== inner) this.#connection = new BusyRetryingConnection(inner, this.#waits);
    this.#connection.deadline = start + this.#waits.lockTimeoutMs;
    return this.#connection;
  }

  /**
   * `BEGIN IMMEDIATE` takes the write lock at the start, where a busy answer can be waited for; a
   * deferred transaction that read first could only fail when it later tries to write
   * (SQLITE_BUSY_SNAPSHOT). One connection per process, so nothing of this process waits longer.
   */
  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(Compiled.raw('begin immediate'));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  savepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.savepoint(c, name, compile);
  }

  rollbackToSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.#inner.rollbackToSavepoint(c, name, compile);
  }

  releaseSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.#inner.releaseSavepoint(c, name, compile);
  }

  releaseConnection(): Promise<void> {
    return this.#inner.releaseConnection();
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/**
 * A Kysely dialect over `database` (opened with `busy_timeout = 0`) whose busy statements wait on
 * timers instead of blocking the event loop (docs/operations.md, "Database faults").
 */
export function asyncBusySqliteDialect(database: SqliteDatabase, waits: SqliteWaits): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new AsyncBusyDriver(database, waits),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

/**
 * `BEGIN IMMEDIATE` for start-up and admin work (migrations, the first signing key), which may wait
 * for other starting nodes far longer than a request may: retried past the request lock timeout.
 */
export async function beginImmediatePatiently(
  conn: { executeQuery: (q: CompiledQuery) => Promise<unknown> },
  patienceMs = 30_000,
): Promise<void> {
  const end = performance.now() + patienceMs;
  for (;;) {
    try {
      await conn.executeQuery(Compiled.raw('begin immediate'));
      return;
    } catch (err) {
      if (!(err instanceof StorageUnavailableError) || performance.now() > end) throw err;
      await sleep(20);
    }
  }
}
