// What a verifier knows of revocations: a map from digest to the time of the revocation, with entries
// dropped once every token they could refuse has expired, so memory is bounded by the revocations of
// one token lifetime.

/** One revocation as the feed publishes it: `[digest, at]`, `at` in seconds since the epoch. */
export type FeedEntry = readonly [digest: string, at: number];

interface Entry {
  /** Seconds since the epoch of the (latest) revocation. */
  readonly at: number;
  /** A session never reopens: every token of it is refused, whatever its `iat`. */
  readonly session: boolean;
  /** Milliseconds since the epoch after which no token this entry refuses can still be valid. */
  readonly until: number;
}

/** The state a verifier can save and restore (see store.ts). */
export interface RevocationState {
  position: number;
  maxTokenAge: number;
  sessions: FeedEntry[];
  subjects: FeedEntry[];
}

/**
 * The revocations a verifier holds. `version` grows whenever an entry is added, so a cached
 * verification made at version `v` stays good while `version` is still `v` (one comparison per hit).
 */
export class RevocationSet {
  readonly #entries = new Map<string, Entry>();
  #version = 0;
  /** Seconds: how long after a revocation a token it covers may still be unexpired. */
  maxTokenAge = 0;
  /** The feed position of the last page applied. */
  position = 0;

  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#entries.size;
  }

  #add(digest: string, at: number, session: boolean): void {
    const known = this.#entries.get(digest);
    if (known && known.at >= at && (known.session || !session)) return;
    // Re-inserted at the end: the map stays (nearly) in order of `until`, so sweep() stops early.
    this.#entries.delete(digest);
    const latest = Math.max(at, known?.at ?? at);
    this.#entries.set(digest, {
      at: latest,
      session: session || known?.session === true,
      until: (latest + this.maxTokenAge) * 1000,
    });
  }

  /** Adds a page of the feed; `replace` (a snapshot) first forgets everything known. */
  apply(page: RevocationState, replace: boolean): void {
    if (replace) this.#entries.clear();
    this.maxTokenAge = page.maxTokenAge;
    for (const [digest, at] of page.sessions) this.#add(digest, at, true);
    for (const [digest, at] of page.subjects) this.#add(digest, at, false);
    this.position = page.position;
    this.#version++;
  }

  /**
   * True when one of `digests` (a token's, see tokenDigests) was revoked: its session at any time,
   * or its subject, tenant or client at or after `iat` (seconds; both are whole seconds, so a token
   * issued in the second of a revocation is refused too).
   */
  revoked(digests: readonly string[], iat: number): boolean {
    for (const digest of digests) {
      const entry = this.#entries.get(digest);
      if (entry && (entry.session || iat <= entry.at)) return true;
    }
    return false;
  }

  /** Drops the entries whose tokens have all expired at `now` (ms); returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [digest, entry] of this.#entries) {
      if (entry.until > now) break;
      this.#entries.delete(digest);
      dropped++;
    }
    return dropped;
  }

  /** Everything held, to be saved and restored with {@link RevocationSet.apply} (replace). */
  state(): RevocationState {
    const sessions: FeedEntry[] = [];
    const subjects: FeedEntry[] = [];
    for (const [digest, entry] of this.#entries)
      (entry.session ? sessions : subjects).push([digest, entry.at]);
    return { position: this.position, maxTokenAge: this.maxTokenAge, sessions, subjects };
  }
}
