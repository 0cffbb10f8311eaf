// The pg Pool as Kysely's PostgresDialect sees it, made fault-aware: every wait on PostgreSQL is bounded
// (connect, free client, statement, lock, idle transaction), a fault becomes StorageUnavailableError,
// and a client that saw a fault is destroyed rather than put back, so the pool refills with fresh
// connections as soon as the database answers again (docs/operations.md, "Database faults"). A
// connection that cannot be made, or dies before a statement that changes nothing, is retried for up to
// the failover wait, so a switchover behind HAProxy or PgBouncer costs a wait, not an error (docs/ha.md).
import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DatabaseTimeouts } from '../../config/storage.js';
import type { PoolStats } from '../contract/index.js';
import { isPgFault, StorageUnavailableError } from '../errors.js';

/** Clients per node; PostgreSQL's default max_connections (100) fits several nodes. */
const POOL_SIZE = 10;
/** TCP keepalive after this much idle time, ms: a peer gone without a FIN is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;
/** The first pause between connection attempts during a failover wait, ms; it doubles up to the cap. */
const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 400;

/**
 * The server-side bounds of a transaction, sent with its BEGIN as one simple query (one round trip).
 * `SET LOCAL` ends with the transaction, so it is what PgBouncer's transaction pooling allows, where
 * session settings and start-up parameters are not.
 */
function beginStatement(t: DatabaseTimeouts): string {
  return [
    'begin',
    `set local statement_timeout = ${t.statementTimeoutMs}`,
    `set local lock_timeout = ${t.lockTimeoutMs}`,
    `set local idle_in_transaction_session_timeout = ${2 * t.statementTimeoutMs}`,
  ].join('; ');
}

/**
 * A statement that changes nothing when run again: a BEGIN or a plain read. Only those are resent on a
 * new connection when the first one died under them; a write whose connection died may have committed.
 */
function isRepeatable(sql: string): boolean {
  return /^\s*(begin\b|select\b)/i.test(sql);
}

/**
 * No connection could be made within the failover wait: nothing was sent, so there is nothing to read
 * back (in-doubt.ts), and the wait is spent.
 */
export class NotConnectedError extends StorageUnavailableError {
  constructor(retryAfterSeconds: number, cause: unknown) {
    super('cannot connect to PostgreSQL', retryAfterSeconds, { cause });
  }
}

/** A source of fresh clients that may wait, within `deadline` (performance.now() ms), for a new primary. */
type Checkout = (deadline: number) => Promise<pg.PoolClient>;

/** One checkout of a client, which remembers whether it saw a fault, to be destroyed on release. */
class GuardedClient {
  #broken = false;
  /** Statements run on this checkout; only the first may move to a new connection. */
  #statements = 0;
  #client: pg.PoolClient;
  readonly #onError = () => {
    this.#broken = true;
  };

  constructor(
    client: pg.PoolClient,
    private readonly t: DatabaseTimeouts,
    private readonly begin: string,
    private readonly checkout: Checkout,
    /** performance.now() ms until which a connection lost under the first statement is replaced. */
    private readonly deadline: number,
  ) {
    this.#client = client;
    this.#watch(client);
  }

  // A connection lost while checked out but between queries (inside a transaction) is reported as
  // an 'error' event that pg-pool only listens to on idle clients: unheard, it would end the process.
  #watch(client: pg.PoolClient): void {
    client.on('error', this.#onError);
  }

  async query(sql: string, parameters: readonly unknown[]): Promise<pg.QueryResult> {
    const first = this.#statements++ === 0;
    const text = sql === 'begin' ? this.begin : sql;
    try {
      return await this.#run(text, parameters);
    } catch (err) {
      if (!isPgFault(err)) throw err;
      this.#broken = true;
      // A read or BEGIN changes nothing: whatever kept it from an answer (a lost connection, or a
      // pooler holding it while no server is primary), it is sent again on a new connection.
      if (first && isRepeatable(sql) && performance.now() < this.deadline) {
        return this.#again(text, parameters, err);
      }
      throw new StorageUnavailableError('PostgreSQL did not answer in time', this.t.retryAfterSeconds, {
        cause: err,
      });
    }
  }

  /**
   * The first statement (a read or BEGIN) got no answer: the same statement on a new connection, again
   * while new connections fail too (HAProxy may still route to a primary that is shutting down).
   */
  async #again(text: string, parameters: readonly unknown[], first: unknown): Promise<pg.QueryResult> {
    let pause = FIRST_PAUSE_MS;
    for (let last = first; ; pause = Math.min(2 * pause, MAX_PAUSE_MS)) {
      forget(this.#client, this.#onError);
      this.#client.release(true);
      this.#broken = false;
      try {
        this.#client = await this.checkout(this.deadline);
      } catch (err) {
        // Kysely releases what it checked out: a released stand-in keeps that call harmless.
        this.#client = releasedStandIn();
        throw err instanceof StorageUnavailableError
          ? err
          : new NotConnectedError(this.t.retryAfterSeconds, last);
      }
      this.#watch(this.#client);
      try {
        return await this.#run(text, parameters);
      } catch (err) {
        if (!isPgFault(err)) throw err;
        this.#broken = true;
        last = err;
        if (performance.now() + pause >= this.deadline) {
          throw new StorageUnavailableError('PostgreSQL did not answer in time', this.t.retryAfterSeconds, {
            cause: err,
          });
        }
        await sleep(pause);
      }
    }
  }

  async #run(text: string, parameters: readonly unknown[]): Promise<pg.QueryResult> {
    const result: pg.QueryResult | pg.QueryResult[] = await this.#client.query(text, parameters as unknown[]);
    // BEGIN with its SET LOCALs answers one result per statement; Kysely reads BEGIN's.
    return Array.isArray(result) ? (result[0] as pg.QueryResult) : result;
  }

  release(destroy?: boolean): void {
    const broken = this.#broken;
    this.#broken = false;
    // pg-pool ends and forgets a client released with a truthy value.
    const ending = destroy || broken;
    if (ending) forget(this.#client, this.#onError);
    else this.#client.removeListener('error', this.#onError);
    this.#client.release(ending || undefined);
  }
}

const ignore = () => undefined;

/**
 * Stops watching a client that is being ended: the server's own farewell (57P01 "terminating
 * connection", a reset) can still arrive while it closes, and an 'error' event nobody hears ends the
 * process. An ended client is never checked out again, so its one listener cannot pile up.
 */
function forget(client: pg.PoolClient, onError: () => void): void {
  client.removeListener('error', onError);
  client.on('error', ignore);
}

/** What a GuardedClient holds after its connection was dropped and no new one came. */
function releasedStandIn(): pg.PoolClient {
  return {
    release: () => undefined,
    removeListener: () => undefined,
    on: () => undefined,
    query: () => Promise.reject(new Error('Client was closed and is not queryable')),
  } as unknown as pg.PoolClient;
}

/**
 * The pg Pool options that bound every wait. With `startupParameters` the server-side timeouts are
 * also sent at connection start; PgBouncer refuses those (transaction pooling cannot keep session
 * settings), and then transactions carry them as `SET LOCAL` and single statements are bounded by
 * the client's `query_timeout`.
 */
export function poolOptions(
  connectionString: string,
  t: DatabaseTimeouts,
  startupParameters = true,
): pg.PoolConfig {
  return {
    connectionString,
    max: POOL_SIZE,
    // The TCP connect and the start-up exchange, and a wait for a free client of a full pool.
    connectionTimeoutMillis: t.connectTimeoutMs,
    // The server cancels a slow statement (57014); the client gives up on one whose answer never
    // comes (a partition), which the server-side timeout cannot see.
    query_timeout: t.statementTimeoutMs,
    ...(startupParameters && {
      statement_timeout: t.statementTimeoutMs,
      lock_timeout: t.lockTimeoutMs,
      idle_in_transaction_session_timeout: 2 * t.statementTimeoutMs,
    }),
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  };
}

/** PgBouncer's answer to a start-up parameter it does not pass on (`ignore_startup_parameters`). */
function isRefusedStartupParameter(err: unknown): boolean {
  return err instanceof Error && /unsupported startup parameter/i.test(err.message);
}

/** A fault-aware pool for `PostgresDialect({ pool })`; `end()` closes every client; `stats()` for metrics. */
export function faultAwarePool(
  connectionString: string,
  t: DatabaseTimeouts,
): PostgresPool & { stats(): PoolStats; readonly startupParameters: boolean } {
  let startupParameters = true;
  const newPool = () => {
    const created = new pg.Pool(poolOptions(connectionString, t, startupParameters));
    // An idle client's error (the server restarting, a reset) must not crash the process; pg-pool
    // drops that client by itself.
    created.on('error', () => undefined);
    return created;
  };
  let pool = newPool();
  const begin = beginStatement(t);

  /** One attempt; a PgBouncer refusing the start-up parameters switches to a pool without them, once. */
  const attempt = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (err) {
      if (!startupParameters || !isRefusedStartupParameter(err)) throw err;
      startupParameters = false;
      const old = pool;
      pool = newPool();
      void old.end().catch(() => undefined);
      return pool.connect();
    }
  };

  /**
   * A connection, trying again until `deadline` while none can be made (refused, reset while
   * connecting, timed out: the primary is changing). A full pool is not retried: that is load, and
   * waiting longer would only queue more.
   */
  const checkout: Checkout = async (deadline) => {
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(2 * pause, MAX_PAUSE_MS)) {
      try {
        return await attempt();
      } catch (err) {
        const full = pool.totalCount >= POOL_SIZE;
        if (full || performance.now() + pause >= deadline) {
          throw new NotConnectedError(t.retryAfterSeconds, err);
        }
        await sleep(pause);
      }
    }
  };

  return {
    async connect() {
      const deadline = performance.now() + t.failoverWaitMs;
      const client = await checkout(deadline);
      const wrapper = new GuardedClient(client, t, begin, checkout, deadline);
      // Kysely also declares a cursor overload; the storage never streams (no `cursor` configured).
      return wrapper as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    get startupParameters() {
      return startupParameters;
    },
  };
}
