// Short-lived caches of the records every token request reads (the application, the access key with
// its owner): the hot path must not be a database round trip per lookup. A change made elsewhere
// (deactivation by `cxauth admin`) is seen within the cache lifetime.
import type { Application } from '../domain/types.js';
import type { AccessKeyOwner, Storage } from '../storage/storage.js';

/** How long a looked-up record is trusted, milliseconds (also the delay before a deactivation bites). */
export const LOOKUP_CACHE_TTL_MS = 5_000;
/** Bound on cached records, so random lookups cannot grow memory. */
const MAX_ENTRIES = 10_000;

/** A read-through cache of found records (misses are not cached); `ttlMs` 0 disables it. */
export class TtlCache<V> {
  readonly #load: (key: string) => Promise<V | undefined>;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #entries = new Map<string, { value: V; until: number }>();

  constructor(load: (key: string) => Promise<V | undefined>, now: () => number, ttlMs: number) {
    this.#load = load;
    this.#now = now;
    this.#ttl = ttlMs;
  }

  async get(key: string): Promise<V | undefined> {
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await this.#load(key);
    if (value === undefined || this.#ttl <= 0) {
      this.#entries.delete(key);
      return value;
    }
    if (this.#entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: now + this.#ttl });
    return value;
  }
}

/** Records last-use times at most once a minute per key and process (the column is informational). */
export class TouchThrottle {
  readonly #touched = new Map<string, number>();
  readonly #interval = 60_000;

  /** True when `id` should be written now. */
  due(id: string, now: number): boolean {
    const last = this.#touched.get(id);
    if (last !== undefined && now - last < this.#interval) return false;
    if (this.#touched.size >= MAX_ENTRIES) this.#touched.clear();
    this.#touched.set(id, now);
    return true;
  }
}

/** The lookups of the token endpoint. */
export interface Lookups {
  application(clientId: string): Promise<Application | undefined>;
  accessKeyOwner(id: string): Promise<AccessKeyOwner | undefined>;
  readonly touch: TouchThrottle;
}

/** Builds the cached lookups over `storage`. */
export function createLookups(storage: Storage, now: () => number, ttlMs = LOOKUP_CACHE_TTL_MS): Lookups {
  const apps = new TtlCache((id) => storage.applications.get(id), now, ttlMs);
  const owners = new TtlCache((id) => storage.accessKeys.getWithOwner(id), now, ttlMs);
  return {
    application: (clientId) => apps.get(clientId),
    accessKeyOwner: (id) => owners.get(id),
    touch: new TouchThrottle(),
  };
}
