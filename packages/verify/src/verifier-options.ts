// The options of createVerifier: their documented defaults, and the refusal at creation of values
// that would make the verifier unsafe or unable to fetch.
import type { DpopNonceOptions } from './dpop/nonce.js';
import type { DpopReplayStore } from './dpop/replay.js';
import type { FetchLike } from './fetch-json.js';
import { createKeySet, type KeySet } from './key-set.js';
import { createMemoryKeySet, type JwksDocument } from './memory-key-set.js';
import { type RevocationOptions, savedJwks, storeNames } from './revocation/wiring.js';
import type { VerifierStore } from './store.js';

/** Options of {@link createVerifier}. Times are in milliseconds unless named otherwise. */
export interface VerifierOptions {
  /** The issuer identifier, exactly as in the tokens' `iss` and the discovery document. */
  issuer: string;
  /** The `aud` this resource server accepts (cxauth's default is `cxauth-api`). */
  audience: string;
  /** JWKS URL; when absent, `jwks_uri` of `{issuer}/.well-known/openid-configuration`. */
  jwksUri?: string;
  /**
   * The keys in memory instead of fetched (an issuer verifying its own tokens): called on each
   * verification that needs a key, and on each cache hit to compare by identity. Return the same
   * object until the keys change; a token whose key is gone is refused from then on. Not with `jwksUri`.
   */
  jwks?: () => JwksDocument;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** Longest token accepted, in characters. Default 8192. */
  maxTokenLength?: number;
  /** Verified tokens remembered until they expire. Default 10 000; 0 disables the cache. */
  cacheSize?: number;
  /** Least time between JWKS refreshes caused by unknown `kid`s. Default 30 000. */
  jwksCooldownMs?: number;
  /**
   * Longest time the fetched JWKS is kept before it is refreshed in the background; the JWKS
   * response's `Cache-Control: max-age` wins when shorter (RFC 9111 §5.2.2.1), so a key the issuer
   * publishes ahead of a rotation is fetched before its first token. Default 600 000.
   */
  jwksMaxAgeMs?: number;
  /** Timeout of each discovery or JWKS fetch. Default 5 000. */
  fetchTimeoutMs?: number;
  /** Milliseconds since the epoch; injected by tests. Default `Date.now`. */
  clock?: () => number;
  /** The fetch used for discovery and JWKS. Default the global `fetch`. */
  fetch?: FetchLike;
  /** Told about each failed discovery/JWKS load (the last good keys stay in use). */
  onJwksError?: (err: unknown) => void;
  /**
   * Follow the issuer's revocation feed (docs/revocation.md): `true` or options to turn it on. A token
   * whose session, subject, tenant or client was revoked after its `iat` is then refused with
   * `token_revoked`, cached or not. Default off; not with `jwks` (an issuer checks its own storage).
   */
  revocation?: boolean | RevocationOptions;
  /**
   * Where the last good JWKS and the feed's state are kept across restarts (`fileStore(dir)`), so a
   * verifier started while the issuer is down still verifies. Default none.
   */
  store?: VerifierStore;
  /** How `Authorization: DPoP` requests are checked (RFC 9449 §7); DPoP is always accepted. */
  dpop?: DpopOptions;
}

/** Options of DPoP proof checks at a resource server. */
export interface DpopOptions {
  /** The oldest proof accepted, by its `iat`, in seconds. Default 60. */
  maxAgeSec?: number;
  /**
   * Where each proof's `jti` is remembered for the window (`memoryReplayStore`, default bounded to
   * 100 000 proofs). Several instances behind one name may share one, so a proof is accepted once.
   */
  replay?: DpopReplayStore;
  /** Proof headers (and their imported keys) remembered. Default 1 000. */
  keyCacheSize?: number;
  /**
   * Require a nonce of this server in each proof (RFC 9449 §9): a proof without one, or with one of an
   * earlier window, is refused with `dpop_nonce_required` (`401`, `error="use_dpop_nonce"` and a
   * `DPoP-Nonce` header); the adapters send the current nonce with every DPoP answer. `true` for the
   * defaults (a random secret per verifier, nonces given out 300 s each). Default off.
   */
  nonce?: boolean | DpopNonceOptions;
}

const MAX_TIMER_MS = 2 ** 32 - 1;

/**
 * A numeric option, or its default. NaN, negative and infinite values are refused at creation: a NaN
 * tolerance would make `now >= exp + tolerance` never true, so expired tokens would pass.
 */
function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number of at least 0; it is ${String(value)}`);
  }
  return value;
}

/** The numeric options of a verifier, validated, with their defaults applied (times in ms). */
export interface VerifierSettings {
  clock: () => number;
  /** The clock tolerance, in seconds. */
  tolerance: number;
  maxLength: number;
  cacheSize: number;
  fetchTimeoutMs: number;
}

/**
 * Validates the options' identifiers and numbers, in this order, and applies the defaults.
 * @throws {TypeError} naming the option to change.
 */
export function settingsOf(options: VerifierOptions): VerifierSettings {
  for (const name of ['issuer', 'audience'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new TypeError(`${name} must be a non-empty string`);
    }
  }
  const clock = options.clock ?? Date.now;
  const tolerance = count(options.clockToleranceSec, 30, 'clockToleranceSec');
  const maxLength = count(options.maxTokenLength, 8192, 'maxTokenLength');
  const cacheSize = count(options.cacheSize, 10_000, 'cacheSize');
  const fetchTimeoutMs = count(options.fetchTimeoutMs, 5_000, 'fetchTimeoutMs');
  // AbortSignal.timeout takes whole milliseconds from 1 to 2^32 - 1; anything else fails every fetch.
  if (fetchTimeoutMs <= 0 || fetchTimeoutMs > MAX_TIMER_MS) {
    throw new TypeError(`fetchTimeoutMs must be above 0 and at most ${MAX_TIMER_MS}`);
  }
  return { clock, tolerance, maxLength, cacheSize, fetchTimeoutMs };
}

/** The key set of the options: the caller's JWKS in memory, or the issuer's, fetched and cached. */
export function keySetOf(options: VerifierOptions, clock: () => number, fetchTimeoutMs: number): KeySet {
  if (options.jwks !== undefined) {
    if (typeof options.jwks !== 'function') throw new TypeError('jwks must be a function returning a JWKS');
    if (options.jwksUri !== undefined) throw new TypeError('give jwks or jwksUri, not both');
    if (options.revocation || options.store) throw new TypeError('jwks takes neither revocation nor store');
    return createMemoryKeySet(options.jwks);
  }
  const onError = options.onJwksError ?? (() => undefined);
  return createKeySet({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    cooldownMs: count(options.jwksCooldownMs, 30_000, 'jwksCooldownMs'),
    maxAgeMs: count(options.jwksMaxAgeMs, 600_000, 'jwksMaxAgeMs'),
    clock,
    fetch: { fetch: options.fetch ?? fetch, timeoutMs: Math.ceil(fetchTimeoutMs), maxBytes: 64 * 1024 },
    onError,
    ...(options.store ? { saved: savedJwks(options.store, storeNames(options.issuer).jwks, onError) } : {}),
  });
}
