// Bounded storage: the list of purgers (one line each) and the run that applies them in batches until
// each has nothing left, under the cluster-wide purge lock, so many nodes can run it at once
// (docs/operations.md "Purge"). Adding a purger (authorization codes…) is one line in PURGERS.
import type { RetentionConfig } from '../config/retention.js';
import type { ThrottleConfig } from '../config/throttling.js';
import type { Storage } from '../storage/contract/index.js';

/** What one purge run may delete: everything that ended before `now`, and what retention lets go. */
export interface PurgeContext {
  readonly now: Date;
  readonly auditBefore: Date;
  readonly throttleIdleBefore: Date;
}

export interface Purger {
  readonly name: string;
  /** Deletes at most `limit` rows; returns how many. */
  readonly batch: (storage: Storage, context: PurgeContext, limit: number) => Promise<number>;
}

/** Every purger, in order (refresh tokens before the sessions they refer to). */
export const PURGERS: readonly Purger[] = [
  { name: 'refresh_tokens', batch: (s, c, limit) => s.purge.refreshTokens(c.now, limit) },
  { name: 'sessions', batch: (s, c, limit) => s.purge.sessions(c.now, limit) },
  { name: 'audit_events', batch: (s, c, limit) => s.auditEvents.purge(c.auditBefore, limit) },
  { name: 'throttle', batch: (s, c, limit) => s.throttle.purge(c.throttleIdleBefore, c.now, limit) },
];

/** Rows deleted, by purger name. */
export type PurgeReport = Record<string, number>;

export interface PurgeOptions {
  readonly retention: RetentionConfig;
  readonly throttling: Pick<ThrottleConfig, 'window'>;
  readonly now?: Date;
  readonly purgers?: readonly Purger[];
}

/**
 * Deletes what can never be used again, `retention.purgeBatchSize` rows per statement, each purger
 * until a batch comes back short.
 */
export async function purge(storage: Storage, options: PurgeOptions): Promise<PurgeReport> {
  const now = options.now ?? new Date();
  const context: PurgeContext = {
    now,
    auditBefore: new Date(now.getTime() - options.retention.auditRetentionDays * 86_400_000),
    throttleIdleBefore: new Date(now.getTime() - options.throttling.window * 1000),
  };
  const limit = options.retention.purgeBatchSize;
  return storage.purge.exclusively(async () => {
    const report: PurgeReport = {};
    for (const purger of options.purgers ?? PURGERS) {
      let total = 0;
      for (;;) {
        const deleted = await purger.batch(storage, context, limit);
        total += deleted;
        if (deleted < limit) break;
      }
      report[purger.name] = total;
    }
    return report;
  });
}

/**
 * Runs `purge` every `retention.purgeInterval` seconds (0: never) until the returned stop is called;
 * a failed run is reported and the next one tried on schedule.
 */
export function schedulePurge(
  storage: Storage,
  options: Omit<PurgeOptions, 'now'> & {
    readonly clock?: () => Date;
    readonly onReport?: (report: PurgeReport) => void;
    readonly onError?: (err: unknown) => void;
  },
): () => Promise<void> {
  const seconds = options.retention.purgeInterval;
  if (seconds === 0) return async () => undefined;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = purge(storage, { ...options, now: options.clock?.() })
      .then((report) => options.onReport?.(report), options.onError)
      .finally(() => {
        running = undefined;
      });
  }, seconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
