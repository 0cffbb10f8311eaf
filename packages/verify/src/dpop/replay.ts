// The `jti` of each DPoP proof is accepted once per window (RFC 9449 §11.1). A store answers whether a
// (key thumbprint, jti) pair is new, remembering it until `expiresAt`; the default is bounded memory.

/** Where seen proofs are remembered. A server of several nodes passes one they share. */
export interface DpopReplayStore {
  /**
   * Records the proof `jti` of key `jkt`, issued at `iat`, until `expiresAt` (seconds since the
   * epoch); true when it was not seen before, false for a replay.
   */
  remember(jkt: string, jti: string, iat: number, expiresAt: number): boolean | Promise<boolean>;
}

/**
 * Remembers up to `capacity` proofs (default 100 000) in memory, each until it expires. When full, the oldest entry is
 * let go and every proof issued no later than it is refused from then on (its replay could no longer
 * be told), so a flood can cost honest clients a retry with a fresh proof, never let a replay through.
 * @see RFC 9449 §11.1
 */
export function memoryReplayStore(
  options: { capacity?: number; clock?: () => number } = {},
): DpopReplayStore {
  const capacity = options.capacity ?? 100_000;
  const clock = options.clock ?? Date.now;
  /** By `jkt.jti`, in insertion order: `[iat, expiresAt]`. */
  const seen = new Map<string, readonly [number, number]>();
  /** Proofs issued at or before this instant are refused: their entries may have been let go. */
  let floor = Number.NEGATIVE_INFINITY;
  /** Expired entries are let go at most once a second: keeping one a little longer refuses no more. */
  let nextSweep = Number.NEGATIVE_INFINITY;
  return {
    remember(jkt, jti, iat, expiresAt) {
      if (iat <= floor) return false;
      const now = clock() / 1000;
      if (now >= nextSweep) {
        nextSweep = now + 1;
        // Entries go in roughly by time: the expired ones are at the front.
        for (const [name, [, until]] of seen) {
          if (until > now) break;
          seen.delete(name);
        }
      }
      const name = `${jkt}.${jti}`;
      if (seen.has(name)) return false;
      seen.set(name, [iat, expiresAt]);
      if (seen.size > capacity) {
        const oldest = seen.entries().next();
        if (!oldest.done) {
          seen.delete(oldest.value[0]);
          floor = Math.max(floor, oldest.value[1][0]);
        }
      }
      return true;
    },
  };
}
