// The contract of the throttle aggregate: failure counters shared by every node on one database.

/** One counter: failures of one key since `windowStart`, and the end of its current delay. */
export interface ThrottleCounter {
  readonly key: string;
  readonly failures: number;
  readonly blockedUntil: Date;
}

export interface ThrottleRepository {
  /** The counters of `keys` that exist (most requests find none: one indexed read). */
  read(keys: readonly string[]): Promise<ThrottleCounter[]>;
  /**
   * The same read together with the storage revision, in one statement: the token endpoint needs
   * both before anything else, and one round trip serves it (see docs/scaling.md).
   */
  readWithRevision(keys: readonly string[]): Promise<{ revision: number; counters: ThrottleCounter[] }>;
  /**
   * Counts one failure for each key, atomically (one upsert; concurrent failures on any node all
   * count). A counter whose last failure is older than `windowMs` starts again at 1.
   */
  fail(keys: readonly string[], at: Date, windowMs: number): Promise<ThrottleCounter[]>;
  /** Delays `key` until `until`, never shortening a longer delay set meanwhile. */
  block(key: string, until: Date): Promise<void>;
  /** Forgets the counters of `keys` (a success from the same identifier and address). */
  clear(keys: readonly string[]): Promise<void>;
  /** Deletes up to `limit` counters idle since before `idleBefore` and no longer delaying at `at`. */
  purge(idleBefore: Date, at: Date, limit: number): Promise<number>;
}
