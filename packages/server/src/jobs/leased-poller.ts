// A poller of leased work, the one loop of the outboxes (webhook deliveries, mail): it claims as many
// due rows as it has free slots (each under this node's lease, so one node works a row at a time),
// works each in the background, and claims again as soon as a slot frees after a batch, else every
// `pollMs`. A failed claim (the database away) is logged and tried again at the next poll.
import { AsyncResource } from 'node:async_hooks';
import type { Logger } from '../domain/logger.js';

export interface LeasedPollerOptions<T> {
  readonly concurrency: number;
  readonly pollMs: number;
  /** Claims up to `free` due rows under this node's lease. */
  claim(free: number): Promise<readonly T[]>;
  /** Works one claimed row, recording its own outcome; a throw is logged with `describe`'s fields. */
  work(item: T): Promise<void>;
  describe(item: T): Record<string, unknown>;
  /** What is polled, for the log lines ("webhook deliveries", "mail"). */
  readonly what: string;
  readonly log?: Pick<Logger, 'warn' | 'error'> | undefined;
  /** Called once when stopping, before the work in flight is awaited (to cut it short). */
  readonly onStop?: () => void;
}

export interface LeasedPoller {
  /** Starts polling. */
  start(): void;
  /** Looks for due rows now. */
  kick(): void;
  /** Claims one batch and waits until each row has been worked; returns how many. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the work in flight. */
  stop(): Promise<void>;
}

export function leasedPoller<T>(o: LeasedPollerOptions<T>): LeasedPoller {
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let running = false;
  let stopped = false;

  const track = (item: T): Promise<void> => {
    const work = o
      .work(item)
      .catch((err: unknown) => o.log?.error({ err, ...o.describe(item) }, `${o.what}: work failed`))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
    return work;
  };

  const claimBatch = async (): Promise<Promise<void>[]> => {
    const free = o.concurrency - inFlight.size;
    if (free <= 0 || stopped) return [];
    return (await o.claim(free)).map(track);
  };

  // Bound to the poller's own async context: a kick from inside a request's unit of work must not
  // make the poll's queries part of that unit (storage/kysely/unit-of-work.ts).
  const fire = AsyncResource.bind(() => void poll());
  const schedule = (ms: number) => {
    if (stopped || !running) return;
    clearTimeout(timer);
    timer = setTimeout(fire, ms);
    timer.unref();
  };

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const started = await claimBatch();
      // A full batch may have left more due rows: look again as soon as a slot frees.
      if (started.length > 0) void Promise.race(started).then(() => schedule(0));
    } catch (err) {
      o.log?.warn({ err }, `could not claim ${o.what}`);
    } finally {
      polling = false;
      schedule(o.pollMs);
    }
  };

  return {
    start() {
      running = true;
      schedule(0);
    },
    kick() {
      schedule(0);
    },
    async runOnce() {
      const started = await claimBatch();
      await Promise.all(started);
      return started.length;
    },
    async stop() {
      running = false;
      stopped = true;
      clearTimeout(timer);
      o.onStop?.();
      await Promise.all([...inFlight]);
    },
  };
}
