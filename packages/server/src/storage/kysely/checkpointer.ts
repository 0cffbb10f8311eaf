// WAL checkpoints of a SQLite file, off the event loop. A checkpoint copies the write-ahead log back into
// the database file and waits for two fsyncs; run by SQLite itself (`wal_autocheckpoint`) it happens
// inside whichever commit crosses the threshold, on the one thread that serves every request: measured
// here, a token grant's commit blocked the event loop ~200 µs on average with it and ~60 µs without
// (docs/storage.md). So a long-running service checkpoints from a worker thread with its own connection,
// and the service's connection keeps a far higher threshold as a safety net should the worker stop.
// Durability is unchanged (`synchronous = NORMAL` in WAL mode either way; see docs/storage.md).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Pages of WAL (4 KiB each) past which the service's own connection checkpoints after all. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;
/** Pause between two background checkpoints, ms. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * The worker's code (CommonJS, evaluated): a PASSIVE checkpoint in a loop, which never blocks the
 * service's readers or writer; a checkpoint that finds the lock taken simply waits for the next turn.
 */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Sqlite = require(workerData.module);
const db = new Sqlite(workerData.file, { timeout: 1000 });
let stopped = false;
parentPort.on('message', () => { stopped = true; });
const loop = () => {
  if (stopped) { db.close(); parentPort.close(); return; }
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next turn */ }
  setTimeout(loop, workerData.intervalMs);
};
loop();
`;

/** A running background checkpointer. */
export interface Checkpointer {
  /** Stops the loop after its current checkpoint and waits for the thread to end. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` (a WAL-mode SQLite database) every `intervalMs` from a worker thread.
 * The thread does not keep the process alive.
 */
export function startCheckpointer(file: string, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, module, intervalMs } });
  worker.unref();
  // A failing checkpointer must not take the service with it: the fallback threshold still holds.
  worker.on('error', () => {});
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Referenced while stopping: with nothing else left to do, an unreferenced thread and timer would
      // let the process end with this wait unsettled (exit code 13 under a top-level await).
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
