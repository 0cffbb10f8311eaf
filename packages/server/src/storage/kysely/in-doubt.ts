// A write whose answer from PostgreSQL was lost: the connection died (a switchover, a failover) or the
// answer did not come in time after the statement was sent, so it may have committed, or not, or still
// be on its way (queued in PgBouncer, waiting for a lock). Answering 503 then could leave a change the
// client cannot see and cannot safely retry (a refresh rotation that spent the client's token), so the
// outcome is read back, for up to CXAUTH_DB_IN_DOUBT_WAIT_MS, before anything is answered (docs/ha.md, "What
// happens when the primary changes").
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailableIn } from '../errors.js';
import { NotConnectedError } from './pg-pool.js';

/** Between two read-backs while no new primary answers, ms. */
const READ_BACK_PAUSE_MS = 100;

type ReadBack<T> = { state: 'committed'; result: T } | { state: 'absent' } | { state: 'unknown' };

async function readBack<T>(committed: () => Promise<T | undefined>): Promise<ReadBack<T>> {
  try {
    const result = await committed();
    return result === undefined ? { state: 'absent' } : { state: 'committed', result };
  } catch (err) {
    if (!unavailableIn(err)) throw err;
    return { state: 'unknown' };
  }
}

/**
 * Runs `write`. When it fails because the database is unavailable, reads back `committed()` (which
 * answers the write's result when its change is in the database, else undefined) until `waitMs` has
 * passed: a committed write is answered as if its answer had come; one that is not there is run again
 * (`write(true)`), and whatever that second run answers short of success is read back too.
 *
 * `write` must be idempotent against itself: fixed ids and hashes and a conditional claim, so that of a
 * first run still on its way and a second one, at most one changes anything, and the other finds the
 * change made (a unique key, or a claim that matches nothing) and is read back as committed.
 */
export async function settleInDoubt<T>(
  write: (again: boolean) => Promise<T>,
  committed: () => Promise<T | undefined>,
  waitMs: number,
): Promise<T> {
  try {
    return await write(false);
  } catch (err) {
    // Never connected: nothing was sent, and the failover wait is already spent.
    if (!unavailableIn(err) || unavailableIn(err) instanceof NotConnectedError || waitMs === 0) throw err;
    const deadline = performance.now() + waitMs;
    let fault = err;
    for (;;) {
      const outcome = await readBack(committed);
      if (outcome.state === 'committed') return outcome.result;
      if (outcome.state === 'absent') {
        try {
          return await write(true);
        } catch (again) {
          if (!unavailableIn(again)) {
            const after = await readBack(committed);
            if (after.state === 'committed') return after.result;
            throw again;
          }
          fault = again;
        }
      }
      if (performance.now() + READ_BACK_PAUSE_MS >= deadline) throw fault;
      await sleep(READ_BACK_PAUSE_MS);
    }
  }
}
