// The pg Pool as Kysely's PostgresDialect sees it, made fault-aware: every wait on PostgreSQL is bounded
// (connect, free client, statement, lock, idle transaction), a fault becomes StorageUnavailableError,
// and a client that saw a fault is destroyed rather than put back, so the pool refills with fresh
// connections as soon as the database answers again (docs/operations.md, "Database faults").
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DatabaseTimeouts } from '../../config/storage.js';
import type { PoolStats } from '../contract/index.js';
import { isPgFault, StorageUnavailableError } from '../errors.js';

/** Clients per node; PostgreSQL's default max_connections (100) fits several nodes. */
const POOL_SIZE = 10;
/** TCP keepalive after this much idle time, ms: a peer gone without a FIN is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;

/** A checked-out client that remembers whether it saw a fault, to be destroyed on release. */
class GuardedClient {
  #broken = false;
  constructor(
    readonly client: pg.PoolClient,
    private readonly retryAfter: number,
  ) {
    // A connection lost while checked out but between queries (inside a transaction) is reported as
    // an 'error' event that pg-pool only listens to on idle clients: unheard, it would end the process.
    client.on('error', () => {
      this.#broken = true;
    });
  }

  query(sql: string, parameters: readonly unknown[]): Promise<pg.QueryResult> {
    return this.client.query(sql, parameters as unknown[]).catch((err: unknown) => {
      if (!isPgFault(err)) throw err;
      this.#broken = true;
      throw new StorageUnavailableError('PostgreSQL did not answer in time', this.retryAfter, { cause: err });
    });
  }

  release(destroy?: boolean): void {
    const broken = this.#broken;
    this.#broken = false;
    // pg-pool ends and forgets a client released with a truthy value.
    this.client.release(destroy || broken || undefined);
  }
}

/** The pg Pool options that bound every wait. */
export function poolOptions(connectionString: string, t: DatabaseTimeouts): pg.PoolConfig {
  return {
    connectionString,
    max: POOL_SIZE,
    // The TCP connect and the start-up exchange, and a wait for a free client of a full pool.
    connectionTimeoutMillis: t.connectTimeoutMs,
    // The server cancels a slow statement (57014); the client gives up on one whose answer never
    // comes (a partition), which the server-side timeout cannot see.
    statement_timeout: t.statementTimeoutMs,
    query_timeout: t.statementTimeoutMs,
    lock_timeout: t.lockTimeoutMs,
    idle_in_transaction_session_timeout: 2 * t.statementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  };
}

/** A fault-aware pool for `PostgresDialect({ pool })`; `end()` closes every client; `stats()` for metrics. */
export function faultAwarePool(
  connectionString: string,
  t: DatabaseTimeouts,
): PostgresPool & { stats(): PoolStats } {
  const pool = new pg.Pool(poolOptions(connectionString, t));
  // An idle client's error (the server restarting, a reset) must not crash the process; pg-pool
  // drops that client by itself.
  pool.on('error', () => undefined);
  const guarded = new WeakMap<pg.PoolClient, GuardedClient>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw new StorageUnavailableError('cannot connect to PostgreSQL', t.retryAfterSeconds, {
          cause: err,
        });
      }
      let wrapper = guarded.get(client);
      if (!wrapper) {
        wrapper = new GuardedClient(client, t.retryAfterSeconds);
        guarded.set(client, wrapper);
      }
      // Kysely also declares a cursor overload; the storage never streams (no `cursor` configured).
      return wrapper as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
