// Throttling of sign-in attempts per username and per source address. The interface is what the
// sign-in form needs; the in-process implementation serves one node until the shared throttling
// (counters in the database, shared by every node) plugs in through `createServer({ signInThrottle })`.

/** How long to wait before the next attempt, seconds; undefined when an attempt may go ahead. */
export type ThrottleVerdict = { readonly retryAfter: number } | undefined;

export interface SignInThrottle {
  /** Whether an attempt for `username` from `ip` may go ahead now. */
  check(username: string, ip: string): Promise<ThrottleVerdict>;
  /** Counts a failed attempt. */
  fail(username: string, ip: string): Promise<void>;
  /** Clears the username's failures (a successful sign-in). */
  succeed(username: string, ip: string): Promise<void>;
}

interface Counter {
  failures: number;
  last: number;
  until: number;
}

export interface MemoryThrottleOptions {
  /** Failures allowed before waits begin (per username; ten times as many per address). Default 5. */
  readonly freeFailures?: number;
  /** The first wait, seconds; each further failure doubles it, up to `maxWait`. Default 30. */
  readonly baseWait?: number;
  readonly maxWait?: number;
  /** Failures older than this are forgotten, seconds. Default 900. */
  readonly forgetAfter?: number;
  readonly clock?: () => Date;
}

/**
 * Exponential waits after repeated failures, in this process's memory (at most 10 000 counters each).
 * @see NIST SP 800-63B §5.2.2 (rate limiting)
 */
export class MemorySignInThrottle implements SignInThrottle {
  readonly #counters = new Map<string, Counter>();
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #forget: number;
  readonly #clock: () => Date;

  constructor(options: MemoryThrottleOptions = {}) {
    this.#free = options.freeFailures ?? 5;
    this.#base = options.baseWait ?? 30;
    this.#max = options.maxWait ?? 900;
    this.#forget = options.forgetAfter ?? 900;
    this.#clock = options.clock ?? (() => new Date());
  }

  #keys(username: string, ip: string): [string, number][] {
    return [
      [`u:${username.toLowerCase()}`, this.#free],
      [`a:${ip}`, this.#free * 10],
    ];
  }

  async check(username: string, ip: string): Promise<ThrottleVerdict> {
    const now = this.#clock().getTime();
    let wait = 0;
    for (const [key] of this.#keys(username, ip)) {
      const c = this.#counters.get(key);
      if (c && c.until > now) wait = Math.max(wait, Math.ceil((c.until - now) / 1000));
    }
    return wait > 0 ? { retryAfter: wait } : undefined;
  }

  async fail(username: string, ip: string): Promise<void> {
    const now = this.#clock().getTime();
    for (const [key, free] of this.#keys(username, ip)) {
      let c = this.#counters.get(key);
      if (!c || now - c.last > this.#forget * 1000) c = { failures: 0, last: now, until: 0 };
      c.failures += 1;
      c.last = now;
      if (c.failures >= free) {
        const wait = Math.min(this.#base * 2 ** (c.failures - free), this.#max);
        c.until = now + wait * 1000;
      }
      this.#counters.delete(key);
      this.#counters.set(key, c);
      if (this.#counters.size > 10_000) {
        const oldest = this.#counters.keys().next().value;
        if (oldest !== undefined) this.#counters.delete(oldest);
      }
    }
  }

  async succeed(username: string): Promise<void> {
    this.#counters.delete(`u:${username.toLowerCase()}`);
  }
}
