// Follows the issuer's revocation feed in the background: polls it, checks each page's signature with
// the issuer's keys, applies it to the RevocationSet, and keeps its state in the store. Nothing here
// runs on a request's path; a request only reads the set.
import { discoveryUrl } from '../discovery.js';
import { type FetchLike, fetchJson } from '../fetch-json.js';
import type { VerificationKey } from '../jose.js';
import { FEED_METADATA, type FeedPage, verifyFeed } from './feed.js';
import { RevocationSet, type RevocationState } from './set.js';

/** How current a verifier's knowledge of revocations is (for logs, probes and metrics). */
export interface RevocationStatus {
  /** The feed followed; undefined until discovered (or when the issuer publishes none). */
  feedUri: string | undefined;
  /** The position of the last page applied (0 before the first). */
  position: number;
  /** Revocations held now. */
  entries: number;
  /** Milliseconds since the epoch of the last successful poll; undefined before the first. */
  lastSyncAt: number | undefined;
  /**
   * Milliseconds since the newest page applied was issued (its `iat`; `Infinity` before any): how
   * stale the verifier may be. Measured from the issuer's signature, not from when a page arrived, so
   * a cache or a man in the middle replaying old pages cannot make it look current.
   */
  lagMs: number;
  /**
   * True once `staleAfter` has passed without a fresh page (since start, when none was ever applied):
   * tokens are still verified with the revocations last known, but new ones may be missing.
   */
  stale: boolean;
  /** The message of the last failed poll, cleared by a successful one. */
  lastError: string | undefined;
  /**
   * Where the revocations in force come from: `feed` once a poll succeeded, `saved` while only the
   * store's state is known, `none` while nothing is (tokens are then accepted on their signature alone).
   */
  source: 'feed' | 'saved' | 'none';
  /** The issuer answered and its metadata names no feed: there is nothing to follow. */
  unpublished: boolean;
}

export interface FollowerOptions {
  issuer: string;
  feedUri: string | undefined;
  pollIntervalMs: number;
  /** Milliseconds without a fresh page after which the status says `stale`. */
  staleAfterMs: number;
  /** Seconds of clock skew tolerated between the issuer's pages. */
  tolerance: number;
  clock: () => number;
  fetch: FetchLike;
  timeoutMs: number;
  keyOf: (kid: string) => Promise<VerificationKey>;
  onError: (err: unknown) => void;
  store: { load(): Promise<string | undefined>; save(text: string): Promise<void> } | undefined;
}

/** A snapshot of 100 000 revocations is about 4 MB; anything far larger is refused. */
const MAX_FEED_BYTES = 32 * 1024 * 1024;
/** The saved state is written at most this often (ms): a crash loses at most this much, refetched. */
const SAVE_INTERVAL_MS = 5_000;
/** Without a feed in the issuer's metadata, it is looked for again this often (ms). */
const REDISCOVER_MS = 60_000;
/**
 * A page issued longer ago than the poll interval plus this (ms) is refused: the issuer signs a fresh
 * one every second, so an older one comes from a stale cache, a mirror or someone replaying it.
 */
export const PAGE_MAX_AGE_SLACK_MS = 30_000;

/** The one SET of an RFC 8936 poll response `{"sets": {jti: SET}, "moreAvailable"}`. */
function onlySet(body: unknown): string {
  const sets = (body as { sets?: unknown } | null)?.sets;
  const values = typeof sets === 'object' && sets !== null ? Object.values(sets) : [];
  if (values.length !== 1 || typeof values[0] !== 'string') throw new Error('feed response is not one SET');
  return values[0];
}

export interface Follower {
  readonly set: RevocationSet;
  /** Resolves after the first poll (or once the saved state is read when the feed is down). */
  readonly first: Promise<void>;
  status(): RevocationStatus;
  close(): Promise<void>;
}

/** Starts following the feed: restores the saved state, then polls every `pollIntervalMs`. */
export function followFeed(options: FollowerOptions): Follower {
  const set = new RevocationSet();
  let feedUri = options.feedUri;
  let synced = false;
  let lastSyncAt: number | undefined;
  let lastError: string | undefined;
  /** The `iat` (s) of the newest page applied, saved with the state: a page older is never applied. */
  let lastIat = Number.NEGATIVE_INFINITY;
  const startedAt = options.clock();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let dirty = false;
  let savedAt = Number.NEGATIVE_INFINITY;
  /** The issuer answered, and its metadata names no feed (not an outage: ask again rarely). */
  let unpublished = false;

  async function discover(): Promise<string | undefined> {
    const url = discoveryUrl(options.issuer);
    const fetched = { fetch: options.fetch, timeoutMs: options.timeoutMs, maxBytes: 64 * 1024 };
    const doc = (await fetchJson(url, fetched)) as Record<string, unknown> | null;
    if (doc?.['issuer'] !== options.issuer) throw new Error(`${url} names another issuer`);
    const uri = doc[FEED_METADATA];
    const found = typeof uri === 'string' && URL.canParse(uri) ? uri : undefined;
    unpublished = found === undefined;
    return found;
  }

  /**
   * Applies a verified page, unless it would take the verifier back: a genuinely signed old page (a
   * snapshot above all, which replaces everything known) replayed by a cache or a man in the middle
   * would otherwise un-revoke every token revoked since (docs/revocation.md, "Freshness").
   */
  function apply(page: FeedPage, asked: number | undefined): void {
    if (!page.snapshot && page.after !== asked)
      throw new Error('feed page does not follow the position asked');
    if (synced && page.position < set.position) {
      throw new Error(
        `feed page at position ${page.position} is older than position ${set.position} already known`,
      );
    }
    const oldest = options.clock() - options.pollIntervalMs - PAGE_MAX_AGE_SLACK_MS;
    if (page.iat * 1000 < oldest) {
      throw new Error(
        `feed page issued at ${new Date(page.iat * 1000).toISOString()} is older than the poll interval plus 30 s`,
      );
    }
    if (page.iat + options.tolerance < lastIat) throw new Error('feed page older than one applied before');
    lastIat = Math.max(lastIat, page.iat);
    set.apply(page, page.snapshot);
    synced = true;
    dirty = true;
  }

  /**
   * Whether the store already holds a newer state than this verifier's: another process following the
   * same issuer from the same data folder, ahead of this one. Overwriting it would move the saved
   * state back, and a restart would then accept what the newer state refuses.
   */
  async function newerSaved(): Promise<boolean> {
    const text = await options.store?.load().catch(() => undefined);
    if (text === undefined) return false;
    try {
      const saved = JSON.parse(text) as { position?: unknown; iat?: unknown };
      if (typeof saved.position !== 'number') return false;
      if (saved.position !== set.position) return saved.position > set.position;
      return typeof saved.iat === 'number' && saved.iat > lastIat;
    } catch {
      return false;
    }
  }

  async function save(force: boolean): Promise<void> {
    if (!options.store || !dirty || (!force && options.clock() - savedAt < SAVE_INTERVAL_MS)) return;
    dirty = false;
    savedAt = options.clock();
    if (await newerSaved()) return;
    const iat = Number.isFinite(lastIat) ? lastIat : undefined;
    await options.store.save(JSON.stringify({ feedUri, iat, ...set.state() })).catch(options.onError);
  }

  /** One poll, following `more` pages at once; returns when the feed has nothing newer. */
  async function poll(): Promise<void> {
    feedUri ??= await discover();
    if (feedUri === undefined) return;
    for (let pages = 0; pages < 100; pages++) {
      const asked = synced ? set.position : undefined;
      const url = new URL(feedUri);
      if (asked !== undefined) url.searchParams.set('after', String(asked));
      const fetched = { fetch: options.fetch, timeoutMs: options.timeoutMs, maxBytes: MAX_FEED_BYTES };
      const page = await verifyFeed(
        onlySet(await fetchJson(url.href, fetched)),
        options.issuer,
        options.keyOf,
      );
      apply(page, asked);
      if (!page.more) break;
    }
    lastSyncAt = options.clock();
    lastError = undefined;
  }

  async function tick(): Promise<void> {
    try {
      await poll();
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      options.onError(err);
    }
    set.sweep(options.clock());
    await save(false);
    if (closed) return;
    const wait = feedUri === undefined && unpublished ? REDISCOVER_MS : options.pollIntervalMs;
    timer = setTimeout(() => void tick(), wait);
    timer.unref();
  }

  async function restore(): Promise<void> {
    const text = await options.store?.load().catch((err: unknown) => {
      options.onError(err);
      return undefined;
    });
    if (text === undefined) return;
    try {
      const saved = JSON.parse(text) as RevocationState & { feedUri?: unknown; iat?: unknown };
      if (!synced && Array.isArray(saved.sessions) && Array.isArray(saved.subjects)) {
        set.apply(saved, true);
        // The saved page's iat and position bound what may follow, so a restart is no way back either.
        if (typeof saved.iat === 'number' && Number.isFinite(saved.iat)) lastIat = saved.iat;
        set.sweep(options.clock());
        synced = true;
        if (feedUri === undefined && typeof saved.feedUri === 'string') feedUri = saved.feedUri;
      }
    } catch (err) {
      options.onError(err);
    }
  }

  const first = restore().then(tick);

  function status(): RevocationStatus {
    const now = options.clock();
    const newest = Number.isFinite(lastIat) ? lastIat * 1000 : undefined;
    return {
      feedUri,
      position: set.position,
      entries: set.size,
      lastSyncAt,
      lagMs: newest === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now - newest),
      // An issuer that publishes no feed has nothing to be stale about.
      stale: !(feedUri === undefined && unpublished) && now - (newest ?? startedAt) > options.staleAfterMs,
      lastError,
      source: lastSyncAt !== undefined ? 'feed' : synced ? 'saved' : 'none',
      unpublished: feedUri === undefined && unpublished,
    };
  }

  return {
    set,
    first,
    status,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await first.catch(() => undefined);
      await save(true);
    },
  };
}
