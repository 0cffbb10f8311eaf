// The one cache of the records every request reads (the application by client_id, the access key with
// its owner, a machine client's tenant, the active CORS origins), kept in lru-cache and validated by
// the storage revision: each request reads the revision once, and an entry read at an older revision is read again. A change made
// by another process or node (`cxauth admin … deactivate`) is therefore seen by the very next request,
// with no cache window (docs/storage.md, "The revision").
import { LRUCache } from 'lru-cache';
import type { Application, Tenant } from '../domain/types.js';
import type { AccessKeyOwner, Storage } from './contract/index.js';

/** Bound on cached records per kind, so random lookups cannot grow memory. */
export const LOOKUP_CACHE_MAX_ENTRIES = 10_000;
/** Last-use times are written at most this often per key and process, ms (the column is informational). */
export const TOUCH_INTERVAL_MS = 60_000;

/** A value together with the revision that was current before it was read. */
interface Entry<V> {
  /** `undefined`: the record did not exist at `revision` (a miss is cached like a hit). */
  readonly value: V | undefined;
  readonly revision: number;
}

/**
 * A read-through LRU of records, each tagged with the revision read before it was loaded. An entry
 * serves a request whose revision is not newer than its tag: the revision grows in the same
 * transaction as every change, so an equal revision means no change since. Misses are cached in the
 * same bounded LRU, so an unknown id costs what a known one costs (no query either way): ids cannot be
 * told apart by timing, and random ids evict known ones alike.
 */
export class RevisionCache<V extends object> {
  readonly #load: (key: string) => Promise<V | undefined>;
  readonly #entries: LRUCache<string, Entry<V>>;

  constructor(load: (key: string) => Promise<V | undefined>, max = LOOKUP_CACHE_MAX_ENTRIES) {
    this.#load = load;
    this.#entries = new LRUCache({ max });
  }

  /** The record as of `revision` or later: cached when current, read again otherwise. */
  async get(key: string, revision: number): Promise<V | undefined> {
    const hit = this.#entries.get(key);
    if (hit && hit.revision >= revision) return hit.value;
    const value = await this.#load(key);
    // Of two requests loading at once, the one that started at the newer revision keeps its entry.
    const now = this.#entries.peek(key);
    if (!now || now.revision <= revision) this.#entries.set(key, { value, revision });
    return value;
  }

  /** Drops every entry (all are older than a revision just seen). */
  clear(): void {
    this.#entries.clear();
  }
}

/** What one request reads, all as of one revision (read once, when the view was made). */
export interface LookupView {
  readonly revision: number;
  /** The application of a client_id, active or not. */
  application(clientId: string): Promise<Application | undefined>;
  /** The access key with its user and tenant, whatever their status. */
  accessKeyOwner(id: string): Promise<AccessKeyOwner | undefined>;
  /** A tenant by id, whatever its status. */
  tenant(id: string): Promise<Tenant | undefined>;
  /** True when the last use of access key `id` should be written now (once a minute per process). */
  touchDue(id: string, now: Date): boolean;
}

/** The lookups of a service: a view per request, and the CORS origin set. */
export interface Lookups {
  /**
   * Reads the revision and returns a view of the cached records as of it. Called again with the same
   * `scope` (e.g. the request, from its CORS hook and then its handler) it reuses the first read.
   * `revision`, when given, is one the caller has just read itself (the token endpoint reads it with
   * the throttle counters, in one statement): the view uses it instead of reading again.
   */
  current(scope?: object, revision?: number): Promise<LookupView>;
  /** The view `current` made for `scope` already (e.g. in the request's CORS hook), if any. */
  known(scope: object): Promise<LookupView> | undefined;
  /**
   * The origins registered by active applications, as of the scope's revision. Never rejects: when the
   * database cannot be read it keeps the previous set (CORS must never turn into a 500) and reports.
   */
  allowedOrigins(scope?: object): Promise<ReadonlySet<string>>;
}

export interface LookupOptions {
  readonly maxEntries?: number;
  /** Told when the origin set could not be read (the previous set stays in use). */
  readonly onOriginsError?: (err: unknown) => void;
}

/** Builds the revision-checked lookups over `storage`. */
export function createLookups(storage: Storage, options: LookupOptions = {}): Lookups {
  const max = options.maxEntries ?? LOOKUP_CACHE_MAX_ENTRIES;
  const apps = new RevisionCache((id) => storage.applications.get(id), max);
  const owners = new RevisionCache((id) => storage.accessKeys.getWithOwner(id), max);
  const tenants = new RevisionCache((id) => storage.tenants.get(id), max);
  const origins = new RevisionCache(async () => new Set(await storage.applications.listActiveOrigins()), 1);
  const touched = new LRUCache<string, number>({ max });
  const views = new WeakMap<object, Promise<LookupView>>();
  let newest = Number.NEGATIVE_INFINITY;
  let lastOrigins: ReadonlySet<string> = new Set();

  const touchDue = (id: string, now: Date): boolean => {
    const last = touched.get(id);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_MS) return false;
    touched.set(id, now.getTime());
    return true;
  };

  const view = (revision: number): LookupView => {
    if (revision > newest) {
      // Every entry is older than this revision: free them now rather than one by one.
      if (newest !== Number.NEGATIVE_INFINITY) {
        apps.clear();
        owners.clear();
        tenants.clear();
      }
      newest = revision;
    }
    return {
      revision,
      application: (clientId) => apps.get(clientId, revision),
      accessKeyOwner: (id) => owners.get(id, revision),
      tenant: (id) => tenants.get(id, revision),
      touchDue,
    };
  };
  const read = async (): Promise<LookupView> => view(await storage.revision());

  const current = (scope?: object, revision?: number): Promise<LookupView> => {
    const known = scope === undefined ? undefined : views.get(scope);
    if (known) return known;
    const made = revision === undefined ? read() : Promise.resolve(view(revision));
    if (scope !== undefined) views.set(scope, made);
    return made;
  };

  return {
    current,
    known: (scope) => views.get(scope),
    async allowedOrigins(scope) {
      try {
        const view = await current(scope);
        lastOrigins = (await origins.get('', view.revision)) ?? lastOrigins;
      } catch (err) {
        options.onOriginsError?.(err);
      }
      return lastOrigins;
    },
  };
}
