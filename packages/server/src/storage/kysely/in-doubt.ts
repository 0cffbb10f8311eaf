// A write whose answer from PostgreSQL was lost: the connection died (a switchover, a failover) after
// the statement was sent, so it may have committed, or not. Answering 503 then could leave a change the
// client cannot see and cannot safely retry (a refresh rotation that spent the client's token), so the
// outcome is read back, within the failover wait, before anything is answered (docs/ha.md, "A commit
// in doubt").
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailableIn } from '../errors.js';
import { isConnectionLost } from './pg-pool.js';

/** Between two read-backs while no new primary answers, ms. */
const READ_BACK_PAUSE_MS = 100;

/**
 * Runs `write`. When it fails because the database is unavailable, reads back `committed()` (which
 * answers the write's result when its change is in the database, else undefined) until `waitMs` has
 * passed: a committed write is answered as if its answer had come. A write that did not commit is run
 * once more when its connection was lost (PostgreSQL ended the transaction with the connection, so
 * nothing of it remains), and otherwise (a timeout: it may still be running) the fault is thrown.
 */
export async function settleInDoubt<T>(
  write: () => Promise<T>,
  committed: () => Promise<T | undefined>,
  waitMs: number,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const fault = unavailableIn(err);
    if (!fault || waitMs === 0) throw err;
    const deadline = performance.now() + waitMs;
    const lost = isConnectionLost(fault.cause);
    for (;;) {
      let outcome: { result: T | undefined } | undefined;
      try {
        outcome = { result: await committed() };
      } catch (readErr) {
        if (!unavailableIn(readErr) || performance.now() + READ_BACK_PAUSE_MS >= deadline) throw err;
      }
      if (outcome?.result !== undefined) return outcome.result;
      if (outcome) {
        if (!lost) throw err;
        return write();
      }
      await sleep(READ_BACK_PAUSE_MS);
    }
  }
}
