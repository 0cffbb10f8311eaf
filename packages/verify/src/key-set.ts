// The issuer's signing keys, cached: loaded once, refreshed in the background before the JWKS
// response's freshness runs out, on an unknown kid at most once per cooldown, and never dropped because
// a refresh failed (a JWKS outage must not reject valid tokens).
import { freshnessMs } from './cache-control.js';
import { discoverJwksUri } from './discovery.js';
import { TokenError } from './errors.js';
import { type FetchJsonOptions, fetchJsonResponse } from './fetch-json.js';
import { algOfJwk, importVerificationKey, type PublicJwk, type VerificationKey } from './jose.js';

export interface KeySetOptions {
  issuer: string;
  /** When absent, read from the issuer's discovery document on first load. */
  jwksUri: string | undefined;
  /** Least time between two fetches triggered by unknown kids (ms). */
  cooldownMs: number;
  /**
   * Longest time (ms) a fetched set is kept before it is refreshed in the background; the JWKS
   * response's `Cache-Control: max-age` (less its `Age`) wins when shorter.
   */
  maxAgeMs: number;
  clock: () => number;
  fetch: FetchJsonOptions;
  onError: (err: unknown) => void;
  /**
   * The last good JWKS kept across restarts: `save` is given each document that loaded, `load` is
   * asked once, when no fetch has succeeded yet, for the one to use meanwhile.
   */
  saved?: { load(): Promise<unknown>; save(doc: unknown): void; flush?(): Promise<void> };
}

/** The cached key set of one issuer. */
export interface KeySet {
  /** The key for `kid`, refreshing the set if it is unknown and the cooldown allows. */
  key(kid: string): Promise<VerificationKey>;
  /** Loads the set now unless a load happened within the cooldown; rejects when none is available. */
  load(): Promise<void>;
  /** True once a key set has been loaded. */
  readonly loaded: boolean;
  /**
   * For a key set held in memory: the document in use now. Verified tokens remember it, so a change
   * of the set (a key removed) is seen by the result cache too. Absent for a fetched JWKS.
   */
  readonly version?: () => unknown;
  /** Stops the background refreshes (the keys stay usable) and waits for the last save. */
  close?(): void | Promise<void>;
}

/** While no key set has ever loaded, retry at most this often (ms) rather than once per cooldown. */
const FIRST_LOAD_RETRY_MS = 1_000;
/**
 * A fetched set is refreshed when this share of its freshness has passed: the issuer publishes a key
 * longer than its max-age before signing with it (docs/operations.md), so fetching again within the
 * max-age sees every key before any token carries it; the rest leaves time for the fetch itself.
 */
const REFRESH_AT = 0.9;
/** Background refreshes are at least this far apart (ms), whatever the headers say. */
const MIN_REFRESH_MS = 1_000;
const MAX_JWKS_BYTES = 512 * 1024;
/** setTimeout's largest delay (ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const text = (value: unknown): value is string => typeof value === 'string';

/** True when `jwk` is a public signature key of an accepted type, with the members it needs. */
function usable(jwk: unknown): jwk is PublicJwk {
  if (typeof jwk !== 'object' || jwk === null) return false;
  const k = jwk as Record<string, unknown>;
  const members =
    k['kty'] === 'RSA'
      ? text(k['n']) && text(k['e'])
      : k['kty'] === 'EC'
        ? text(k['x']) && text(k['y'])
        : k['kty'] === 'OKP' && text(k['x']);
  return (
    members &&
    text(k['kid']) &&
    (k['use'] === undefined || k['use'] === 'sig') &&
    // RFC 7517 §4.3: a key whose key_ops leave out "verify" is not for checking signatures.
    (k['key_ops'] === undefined || (Array.isArray(k['key_ops']) && k['key_ops'].includes('verify'))) &&
    algOfJwk(jwk as PublicJwk) !== undefined
  );
}

/**
 * Imports every usable key of a JWKS document (RSA for RS256, EC P-256 for ES256, OKP Ed25519 for
 * EdDSA). Keys of other types, or whose `alg` does not fit their type, are skipped; a document without
 * any usable key is an error, so the previous set stays in use.
 * @see RFC 7517 §5
 */
export async function importKeys(doc: unknown): Promise<Map<string, VerificationKey>> {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('JWKS document has no keys array');
  const imported = new Map<string, VerificationKey>();
  for (const jwk of keys) {
    if (!usable(jwk) || imported.has(jwk.kid)) continue;
    try {
      imported.set(jwk.kid, await importVerificationKey(jwk));
    } catch {
      // One malformed key must not hide the others.
    }
  }
  if (imported.size === 0) throw new Error('JWKS document has no usable signing key');
  return imported;
}

/** Creates the key cache of one issuer; nothing is fetched until the first `key` or `load`. */
export function createKeySet(options: KeySetOptions): KeySet {
  let jwksUri = options.jwksUri;
  let keys: Map<string, VerificationKey> | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;
  /** How long (ms) the set in use stays fresh: the response's max-age when shorter than maxAgeMs. */
  let freshForMs = options.maxAgeMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  let restoreTried = false;

  async function fetchKeys(): Promise<void> {
    jwksUri ??= await discoverJwksUri(options.issuer, options.fetch);
    const { body, headers } = await fetchJsonResponse(jwksUri, {
      ...options.fetch,
      maxBytes: MAX_JWKS_BYTES,
    });
    keys = await importKeys(body);
    loadedAt = options.clock();
    freshForMs = Math.min(options.maxAgeMs, freshnessMs(headers) ?? Number.POSITIVE_INFINITY);
    options.saved?.save(body);
  }

  /**
   * Once a set was fetched, the next fetch is due before it goes stale — with no request needed, so a
   * key published meanwhile is known before its first token arrives. A failed one is retried after the
   * cooldown (or sooner, for a short max-age).
   */
  function schedule(succeeded: boolean): void {
    if (closed || !keys) return;
    clearTimeout(timer);
    const delay = succeeded ? freshForMs * REFRESH_AT : Math.min(options.cooldownMs, freshForMs);
    timer = setTimeout(() => void refresh(), Math.max(MIN_REFRESH_MS, Math.min(delay, MAX_TIMER_MS)));
    timer.unref?.();
  }

  /** The saved document, once, while nothing was ever fetched (an issuer outage at start-up). */
  async function restore(): Promise<void> {
    if (restoreTried || keys || !options.saved) return;
    restoreTried = true;
    try {
      const doc = await options.saved.load();
      // A fetch may have succeeded meanwhile: the fresher keys win. The restored set counts as old, so
      // the next request for a known kid refreshes it in the background.
      if (doc !== undefined && !keys) keys = await importKeys(doc);
    } catch (err) {
      options.onError(err);
    }
  }

  /** One fetch at a time; concurrent callers share it. Failures are reported, never thrown. */
  function refresh(): Promise<void> {
    if (!inflight) {
      attemptedAt = options.clock();
      inflight = fetchKeys()
        .then(
          () => schedule(true),
          (err: unknown) => {
            options.onError(err);
            schedule(false);
          },
        )
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  }

  function mayRefresh(interval: number): boolean {
    return inflight !== undefined || options.clock() - attemptedAt >= interval;
  }

  async function ensureLoaded(): Promise<Map<string, VerificationKey>> {
    if (!keys && mayRefresh(Math.min(FIRST_LOAD_RETRY_MS, options.cooldownMs))) await refresh();
    if (!keys) await restore();
    if (!keys) throw new TokenError('jwks_unavailable', "The issuer's signing keys are not available");
    return keys;
  }

  return {
    get loaded() {
      return keys !== undefined;
    },
    async load() {
      await ensureLoaded();
    },
    async key(kid) {
      const current = await ensureLoaded();
      const known = current.get(kid);
      if (known) {
        // The timer may be late (a suspended process) or off (a clock injected by a test).
        const stale = options.clock() - loadedAt >= freshForMs;
        if (stale && mayRefresh(Math.min(options.cooldownMs, freshForMs))) void refresh();
        return known;
      }
      if (mayRefresh(options.cooldownMs)) await refresh();
      const found = keys?.get(kid);
      if (!found) throw new TokenError('kid_unknown', 'The token was signed by an unknown key');
      return found;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await options.saved?.flush?.();
    },
  };
}
