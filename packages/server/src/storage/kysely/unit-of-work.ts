// A unit of work: every write made through the storage while `atomically(work)` runs commits together
// with the others, or none does. The repositories are built over `db`, a stand-in for the Kysely
// instance that sends each query to the unit's connection while one is open in the caller's async
// context (AsyncLocalStorage), and to the pool otherwise. A repository's own transaction inside a unit
// becomes a savepoint of it. So an audit event and its webhook deliveries (the outbox) are stored in the
// transaction of the change they report, and a crash loses both or neither (docs/webhooks.md).
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './rows.js';
import type { Database } from './schema.js';
import { beginImmediatePatiently } from './sqlite-driver.js';

interface Unit {
  readonly conn: Kysely<Database>;
  /** False once the unit ended: a timer started inside it must not reach its connection afterwards. */
  open: boolean;
  savepoints: number;
  /** What runs once the unit has committed (nothing, if it rolls back). */
  readonly committed: (() => void)[];
}

/** How a unit starts. */
export interface AtomicOptions {
  /**
   * SQLite: how long to wait for the write lock, ms (default 0: the driver's lock timeout, then a 503).
   * The signing keys' changes, which nodes starting together make at once, wait longer.
   */
  readonly patienceMs?: number;
}

export interface UnitOfWork {
  /** What the repositories are built over. */
  readonly db: Kysely<Database>;
  atomically<T>(work: () => Promise<T>, options?: AtomicOptions): Promise<T>;
  /** Runs `fn` once the caller's unit has committed (never if it rolls back), or now outside a unit. */
  afterCommit(fn: () => void): void;
}

type Fn = (...args: unknown[]) => unknown;
const bound = (target: object, prop: string | symbol): unknown => {
  const value = Reflect.get(target, prop, target) as unknown;
  return typeof value === 'function' ? (value as Fn).bind(target) : value;
};

/** A commit hook's failure is not the committed unit's: it is only reported. */
function runQuietly(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'AfterCommitWarning');
  }
}

export function unitOfWork(root: Kysely<Database>, dialect: Dialect): UnitOfWork {
  const units = new AsyncLocalStorage<Unit>();
  // Node 20's AsyncLocalStorage tracks every promise and async resource of the process (promise hooks)
  // from its first `run` until it is disabled. Enabled only while a unit is open, the requests that
  // open none (a token grant, a verified API call) do not pay for it: on the combined server, 10-15 µs
  // of CPU per Bearer-verified request once any unit had run (BENCHMARKS.md, "Fifth pass").
  let openUnits = 0;

  const current = (): Unit | undefined => {
    const unit = units.getStore();
    return unit?.open ? unit : undefined;
  };

  /** A repository's transaction inside a unit: a savepoint, rolled back alone when its work throws. */
  const nested = (unit: Unit) => {
    const run = async <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> => {
      const name = sql.raw(`unit_${++unit.savepoints}`);
      await sql`savepoint ${name}`.execute(unit.conn);
      try {
        const result = await work(unit.conn);
        await sql`release savepoint ${name}`.execute(unit.conn);
        return result;
      } catch (err) {
        await sql`rollback to savepoint ${name}`.execute(unit.conn);
        await sql`release savepoint ${name}`.execute(unit.conn);
        throw err;
      }
    };
    const builder = {
      execute: run,
      setIsolationLevel: () => builder,
      setAccessMode: () => builder,
    };
    return builder;
  };

  const db = new Proxy(root, {
    get(target, prop) {
      const unit = current();
      if (!unit) return bound(target, prop);
      if (prop === 'transaction') return () => nested(unit);
      // No repository runs BEGIN itself (the signing keys' changes are units of their own, or join one).
      if (prop === 'connection')
        return () => ({ execute: <T>(work: (c: Kysely<Database>) => Promise<T>) => work(unit.conn) });
      return bound(unit.conn, prop);
    },
  });

  return {
    db,
    afterCommit(fn) {
      const unit = current();
      if (unit) unit.committed.push(fn);
      else runQuietly(fn);
    },
    atomically(work, options) {
      // Inside a unit already: part of it.
      if (current()) return work();
      return root.connection().execute(async (conn) => {
        // SQLite: the write lock first, so a read inside the unit cannot go stale before its write;
        // waited for no longer than the driver's lock timeout (then a 503), as any statement.
        if (dialect === 'sqlite') await beginImmediatePatiently(conn, options?.patienceMs ?? 0);
        else await sql.raw('begin').execute(conn);
        const unit: Unit = { conn, open: true, savepoints: 0, committed: [] };
        openUnits++;
        try {
          const result = await units.run(unit, work);
          unit.open = false;
          await sql.raw('commit').execute(conn);
          // Outside the unit's async context: what they start (a worker's poll) is no part of it.
          for (const fn of unit.committed) units.exit(runQuietly, fn);
          return result;
        } catch (err) {
          unit.open = false;
          await sql
            .raw('rollback')
            .execute(conn)
            .catch(() => undefined);
          throw err;
        } finally {
          // Work the unit left behind that still holds its context finds it closed (`open`) anyway.
          if (--openUnits === 0) units.disable();
        }
      });
    },
  };
}
