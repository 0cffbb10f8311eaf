// How a verifier's options become its revocation follower and its saved documents: the names of the
// documents in the store, and the defaults of the `revocation` option.
import { createHash } from 'node:crypto';
import type { FetchLike } from '../fetch-json.js';
import type { VerificationKey } from '../jose.js';
import type { VerifierStore } from '../store.js';
import { type Follower, followFeed } from './follower.js';

/** The `revocation` option of a verifier. */
export interface RevocationOptions {
  /** The feed's URL; when absent, `cxauth_revocation_feed_uri` of the issuer's discovery document. */
  feedUri?: string;
  /** Milliseconds between two polls. Default 1 000 (a revocation is seen within about a second). */
  pollIntervalMs?: number;
  /**
   * Milliseconds without a fresh page (by its `iat`) after which `revocationStatus().stale` is true.
   * Default 60 000. Verification goes on with the revocations last known.
   */
  staleAfter?: number;
  /** Told about each failed poll (the last known revocations stay in force). */
  onError?: (err: unknown) => void;
}

/** The store's document names for one issuer: two issuers can share a folder. */
export function storeNames(issuer: string): { jwks: string; revocations: string } {
  const tag = createHash('sha256').update(issuer).digest('hex').slice(0, 12);
  return { jwks: `jwks-${tag}`, revocations: `revocations-${tag}` };
}

/** The JWKS hooks of the key set over `store`: a document is written only when it changed. */
export function savedJwks(
  store: VerifierStore,
  name: string,
  onError: (err: unknown) => void,
): { load(): Promise<unknown>; save(doc: unknown): void; flush(): Promise<void> } {
  let last: string | undefined;
  // The last write under way: closing waits for it, so a restart finds what was last fetched.
  let writing: Promise<void> = Promise.resolve();
  return {
    async load() {
      const text = await store.load(name);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    save(doc) {
      const text = JSON.stringify(doc);
      if (text === last) return;
      last = text;
      writing = writing.then(() => store.save(name, text)).catch(onError);
    },
    flush: () => writing,
  };
}

export interface FollowerWiring {
  issuer: string;
  option: RevocationOptions | boolean | undefined;
  store: VerifierStore | undefined;
  tolerance: number;
  clock: () => number;
  fetch: FetchLike;
  timeoutMs: number;
  keyOf: (kid: string) => Promise<VerificationKey>;
}

/** The follower the options ask for, or undefined when revocation is off (the default). */
export function followerOf(w: FollowerWiring): Follower | undefined {
  if (w.option === undefined || w.option === false) return undefined;
  const option: RevocationOptions = w.option === true ? {} : w.option;
  const interval = option.pollIntervalMs ?? 1_000;
  if (!Number.isFinite(interval) || interval < 10 || interval > 2 ** 31 - 1) {
    throw new TypeError('revocation.pollIntervalMs must be a number of milliseconds from 10');
  }
  const staleAfter = option.staleAfter ?? 60_000;
  if (!Number.isFinite(staleAfter) || staleAfter < 0) {
    throw new TypeError('revocation.staleAfter must be a number of milliseconds from 0');
  }
  const { store } = w;
  const name = storeNames(w.issuer).revocations;
  return followFeed({
    issuer: w.issuer,
    feedUri: option.feedUri,
    pollIntervalMs: interval,
    staleAfterMs: staleAfter,
    tolerance: w.tolerance,
    clock: w.clock,
    fetch: w.fetch,
    timeoutMs: w.timeoutMs,
    keyOf: w.keyOf,
    onError: option.onError ?? (() => undefined),
    store: store ? { load: () => store.load(name), save: (text) => store.save(name, text) } : undefined,
  });
}
