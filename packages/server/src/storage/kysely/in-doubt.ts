// A write whose answer from PostgreSQL was lost: the connection died (a switchover, a failover) after
// the statement was sent, so it may have committed, or not. Answering 503 then could leave a change the
// client cannot see and cannot safely retry (a refresh rotation that spent the client's token), so the
// outcome is read back, within the failover wait, before anything is answered (docs/ha.md, "What
// happens when the primary changes").
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailableIn } from '../errors.js';
import { isConnectionLost } from './pg-pool.js';

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
 * passed: a committed write is answered as if its answer had come. A write that did not commit is run
 * again when its connection was lost or refused (PostgreSQL ended or refused its transaction, so
 * nothing of it can still commit); after a timeout instead (it may still be running) the fault is thrown.
 */
export async function settleInDoubt<T>(
  write: () => Promise<T>,
  committed: () => Promise<T | undefined>,
  waitMs: number,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!unavailableIn(err) || waitMs === 0) throw err;
    const deadline = performance.now() + waitMs;
    let fault = err;
    for (;;) {
      const outcome = await readBack(committed);
      if (outcome.state === 'committed') return outcome.result;
      if (outcome.state === 'absent') {
        if (!isConnectionLost(unavailableIn(fault)?.cause)) throw fault;
        try {
          return await write();
        } catch (again) {
          if (!unavailableIn(again)) throw again;
          fault = again;
        }
      }
      if (performance.now() + READ_BACK_PAUSE_MS >= deadline) throw fault;
      await sleep(READ_BACK_PAUSE_MS);
    }
  }
}
