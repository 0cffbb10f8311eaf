// createVerifier: the composition root of the package — key set, strict checks and the result cache.
import { bearerToken } from './bearer.js';
import { type AccessTokenClaims, checkClaims } from './claims.js';
import { checkHeader, decodeJsonSegment, parseJsonObject, splitCompact } from './compact.js';
import { dpopRequests, type PresentedRequest, unbound } from './dpop/request.js';
import { TokenError } from './errors.js';
import { type IdTokenClaims, type IdTokenOptions, verifyIdTokenWith } from './id-token.js';
import { verifyJws } from './jose.js';
import { Lru } from './lru.js';
import { tokenDigests } from './revocation/digest.js';
import type { Follower, RevocationStatus } from './revocation/follower.js';
import { followerOf } from './revocation/wiring.js';
import { keySetOf, settingsOf, type VerifierOptions } from './verifier-options.js';

export type { PresentedRequest } from './dpop/request.js';
export type { DpopOptions, VerifierOptions } from './verifier-options.js';

/** A configured verifier for one issuer and audience. */
export interface Verifier {
  /**
   * Verifies an access token and returns its claims (frozen).
   * @throws {TokenError} with a stable `code` when the token is refused.
   * @see RFC 9068 §4
   */
  verify(token: string): Promise<AccessTokenClaims>;
  /**
   * Verifies the token of an `Authorization` header value (`Bearer <token>`, any case).
   * @throws {TokenError} `token_missing` without bearer credentials, else as {@link Verifier.verify}.
   * @see RFC 6750 §2.1
   */
  verifyAuthorization(header: string | readonly string[] | undefined): Promise<AccessTokenClaims>;
  /**
   * The claims of an `Authorization: Bearer <token>` value whose exact token this verifier accepted
   * before and that has not expired since; otherwise undefined (then call `verifyAuthorization`, which
   * also explains a refusal). Synchronous, so an adapter's hot path needs no promise.
   * @see RFC 6750 §2.1
   */
  cachedAuthorization(header: string | readonly string[] | undefined): AccessTokenClaims | undefined;
  /**
   * Verifies a request's access token by its scheme: `Bearer` as {@link Verifier.verifyAuthorization},
   * or `DPoP` with its proof (`htm`, `htu`, `iat`, `ath`, the token's `cnf.jkt`, the `jti` seen once).
   * A token bound to a key is refused as Bearer (`dpop_required`).
   * @throws {TokenError} a `dpop_*` code for a refused proof, else as {@link Verifier.verify}.
   * @see RFC 9449 §7
   */
  verifyRequest(request: PresentedRequest): Promise<AccessTokenClaims>;
  /**
   * The nonce DPoP proofs must carry now (RFC 9449 §9), for a `DPoP-Nonce` header; undefined unless
   * `dpop.nonce` is set. The adapters send it with every answer to a DPoP request.
   */
  dpopNonce(): string | undefined;
  /**
   * Verifies an id_token of this issuer (`typ` JWT, never an access token) with the same keys, and
   * returns its claims (frozen; not cached). `audience` is the client it must be for.
   * @throws {TokenError} as {@link Verifier.verify}.
   * @see OpenID Connect Core 1.0 §3.1.3.7
   */
  verifyIdToken(token: string, options?: IdTokenOptions): Promise<IdTokenClaims>;
  /** Loads the issuer's keys now (a no-op once loaded); rejects with `jwks_unavailable`. */
  ready(): Promise<void>;
  /** True once the issuer's key set has been loaded at least once. */
  readonly isReady: boolean;
  /** How current the revocation feed is (its lag, position, entries); undefined when it is off. */
  revocationStatus(): RevocationStatus | undefined;
  /**
   * Stops the background JWKS refreshes and following the feed, and saves the feed's state; the
   * verifier still verifies with what it knows.
   */
  close(): Promise<void>;
}

interface Verified {
  /** The exact token string: two encodings of one token never share an entry. */
  token: string;
  claims: AccessTokenClaims;
  /** Clock value (ms) from which the token is expired, tolerance included. */
  expiresAt: number;
  /** The in-memory key set's document when the token was verified (undefined for a fetched JWKS). */
  keys: unknown;
  /** The token's revocation digests (empty when revocation is off). */
  digests: readonly string[];
  /** The revocation set's version when the token was last found unrevoked. */
  checked: number;
}

/**
 * Cache slots are found by the token's last characters (inside its signature) and then confirmed by
 * comparing the whole string: hashing a 1.5 kB token costs more than the rest of a cache hit, while a
 * comparison of equal strings is a memory compare.
 */
const SLOT_CHARS = 64;
const slotOf = (token: string): string => (token.length > SLOT_CHARS ? token.slice(-SLOT_CHARS) : token);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

const NOT_REVOKED: readonly string[] = Object.freeze([]);

/**
 * Creates a verifier of access tokens for one issuer: RS256, ES256 or EdDSA, each only with a key
 * of its own type published for it, `typ: at+jwt`, exact `iss` and
 * `aud`, time window with a small tolerance, the cxauth required claims and a size cap. Keys come
 * from the issuer's JWKS, fetched lazily and cached (or from `jwks`, in memory); verified tokens are
 * cached by their exact string.
 * @example
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'cxauth-api' });
 * const claims = await verifier.verifyAuthorization(req.headers.authorization);
 * @see RFC 9068, RFC 8725
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { clock, tolerance, maxLength, cacheSize, fetchTimeoutMs } = settingsOf(options);
  const cache = new Lru<Verified>(cacheSize);
  const rules = { issuer: options.issuer, audience: options.audience, clockTolerance: tolerance };
  const keys = keySetOf(options, clock, fetchTimeoutMs);
  const version = keys.version;
  const follower: Follower | undefined = followerOf({
    issuer: options.issuer,
    option: options.revocation,
    store: options.store,
    tolerance,
    clock,
    fetch: options.fetch ?? fetch,
    timeoutMs: Math.ceil(fetchTimeoutMs),
    keyOf: (kid) => keys.key(kid),
  });

  async function verifyUncached(token: string): Promise<Verified> {
    const keysUsed = version?.();
    const [header] = splitCompact(token);
    const { alg, kid } = checkHeader(decodeJsonSegment(header, 'header'));
    const key = await keys.key(kid);
    // RFC 8725 §3.1: the key decides the algorithm; a header naming another one is refused unchecked.
    if (alg !== key.alg) {
      throw new TokenError('alg_not_allowed', `The token algorithm does not match its key (${key.alg})`);
    }
    let payloadBytes: Uint8Array;
    try {
      payloadBytes = await verifyJws(token, key);
    } catch (err) {
      throw new TokenError('signature_invalid', 'The token signature is invalid', { cause: err });
    }
    const payload = parseJsonObject(Buffer.from(payloadBytes).toString('utf8'), 'payload');
    const claims = deepFreeze(checkClaims(payload, rules, clock() / 1000));
    const digests = follower ? tokenDigests(options.issuer, claims) : NOT_REVOKED;
    const checked = follower?.set.version ?? 0;
    if (follower?.set.revoked(digests, claims.iat)) {
      throw new TokenError('token_revoked', 'The access token was revoked');
    }
    return { token, claims, expiresAt: (claims.exp + tolerance) * 1000, keys: keysUsed, digests, checked };
  }

  /** The claims of a token verified before and not expired since, or undefined. */
  function cached(token: string): AccessTokenClaims | undefined {
    const hit = cache.get(slotOf(token));
    if (hit?.token !== token) return undefined;
    // In memory, a changed key set may have dropped the token's key: verify it again.
    if (clock() < hit.expiresAt && (version === undefined || hit.keys === version())) {
      // One comparison while no revocation arrived since the last check; a new one is looked up.
      if (follower === undefined || hit.checked === follower.set.version) return hit.claims;
      if (!follower.set.revoked(hit.digests, hit.claims.iat)) {
        hit.checked = follower.set.version;
        return hit.claims;
      }
    }
    cache.delete(slotOf(token));
    return undefined;
  }

  async function verify(token: string): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token === '') {
      throw new TokenError('token_missing', 'A bearer access token is required');
    }
    if (token.length > maxLength) throw new TokenError('token_too_large', 'The access token is too large');
    // A token bound to a DPoP key never passes as a bearer token from the cache either.
    const hit = cached(token);
    if (hit) return hit;
    let verified: Verified;
    try {
      verified = await verifyUncached(token);
    } catch (err) {
      if (err instanceof TokenError) throw err;
      throw new TokenError('token_malformed', 'The access token is invalid', { cause: err });
    }
    cache.set(slotOf(token), verified);
    return verified.claims;
  }

  function cachedAuthorization(
    header: string | readonly string[] | undefined,
  ): AccessTokenClaims | undefined {
    // Only "Bearer <token>" with one space, in either common case, of a token verified before: anything
    // else (other spacing, another scheme, a new token) goes through the strict parse of bearerToken.
    if (typeof header !== 'string' || header.length <= 7 || header.charCodeAt(6) !== 32) return undefined;
    const scheme = header.slice(0, 6);
    if (scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') return undefined;
    const hit = cached(header.slice(7));
    return hit?.cnf === undefined ? hit : undefined;
  }

  async function verifyAuthorization(
    header: string | readonly string[] | undefined,
  ): Promise<AccessTokenClaims> {
    // verify() consults the cache itself; the adapters try cachedAuthorization() first, synchronously.
    return unbound(await verify(bearerToken(header)));
  }

  const dpop = dpopRequests({ verify, cached, clock, tolerance, options: options.dpop });

  return {
    verify,
    verifyAuthorization,
    cachedAuthorization,
    verifyRequest: dpop.verifyRequest,
    dpopNonce: dpop.nonce,
    verifyIdToken: (token, idOptions = {}) =>
      verifyIdTokenWith(token, (kid) => keys.key(kid), { ...rules, maxLength }, idOptions, clock() / 1000),
    async ready() {
      // The first poll of the feed (or the saved state) is awaited too; its failure is not the keys'.
      const [loaded] = await Promise.allSettled([keys.load(), follower?.first]);
      if (loaded.status === 'rejected') throw loaded.reason;
    },
    get isReady() {
      return keys.loaded;
    },
    revocationStatus: () => follower?.status(),
    close: async () => {
      await keys.close?.();
      await follower?.close();
    },
  };
}
