// The token lifecycle: one cached token set, renewed before expiry with the refresh token (a new
// grant when the session ended), and single flight — concurrent callers share one token request.
import { isClientError } from './errors.js';
import { decodeJwt } from './jwt.js';
import type { TokenResponse } from './token-endpoint.js';

/** A token response with the times the SDK computed for it. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  /** When the access token expires, ms since the epoch (clock of the client, from `expires_in`). */
  readonly expiresAt: number;
  /** The token response as the server sent it (holds secrets: never log it). */
  readonly response: TokenResponse;
}

export interface TokenCacheDeps {
  readonly now: () => number;
  /** Renew this long before expiry (capped at half the token's lifetime), ms. */
  readonly refreshSkewMs: number;
  /** A new grant with the access key. */
  readonly grant: () => Promise<TokenResponse>;
  /** The refresh grant. */
  readonly refresh: (refreshToken: string) => Promise<TokenResponse>;
}

/** Failures that say nothing about the credentials: worth riding out on a still-valid token. */
const TRANSIENT = ['network', 'timeout', 'rate_limited', 'token_request_failed'] as const;

/** Lifetime assumed when a response has neither `expires_in` nor a readable `exp` (seconds). */
const FALLBACK_LIFETIME_S = 300;

export class TokenCache {
  readonly #deps: TokenCacheDeps;
  #current: (TokenSet & { renewAt: number }) | undefined;
  #inflight: Promise<TokenSet> | undefined;

  constructor(deps: TokenCacheDeps) {
    this.#deps = deps;
  }

  /**
   * The cached token set while fresh; otherwise the one renewal in flight, started if needed. When an
   * early renewal fails for a passing reason (network, timeout, 429, a 5xx) the token still valid is
   * used until it expires.
   */
  get(): Promise<TokenSet> {
    const current = this.#current;
    const now = this.#deps.now();
    if (current && now < current.renewAt) return Promise.resolve(current);
    const flight = this.#inflight ?? this.#renew();
    if (!current || now >= current.expiresAt) return flight;
    return flight.catch((err: unknown) => {
      if (isClientError(err, ...TRANSIENT) && this.#deps.now() < current.expiresAt) return current;
      throw err;
    });
  }

  /**
   * Called after an API answered 401 to `staleAccessToken`: renews once, however many calls saw the
   * same 401 (a token already replaced is simply returned).
   */
  renewAfterRejection(staleAccessToken: string): Promise<TokenSet> {
    const current = this.#current;
    if (current && current.accessToken !== staleAccessToken) return this.get();
    return this.#inflight ?? this.#renew();
  }

  /** Forgets the token set (e.g. after a logout); the next call makes a new grant. */
  clear(): void {
    this.#current = undefined;
  }

  #renew(): Promise<TokenSet> {
    const refreshToken = this.#current?.refreshToken;
    const flight = this.#obtain(refreshToken);
    this.#inflight = flight;
    const done = () => {
      if (this.#inflight === flight) this.#inflight = undefined;
    };
    flight.then(done, done);
    return flight;
  }

  async #obtain(refreshToken: string | undefined): Promise<TokenSet> {
    if (refreshToken !== undefined) {
      const startedAt = this.#deps.now();
      try {
        return this.#store(await this.#deps.refresh(refreshToken), startedAt, refreshToken);
      } catch (err) {
        // invalid_grant: the session ended (expired, revoked, rotated token reused) — start a new one.
        if (!isClientError(err, 'invalid_grant')) throw err;
        this.#current = undefined;
      }
    }
    const startedAt = this.#deps.now();
    return this.#store(await this.#deps.grant(), startedAt, undefined);
  }

  #store(response: TokenResponse, startedAt: number, previousRefresh: string | undefined): TokenSet {
    // Counted from when the request left, so clock drift during the exchange errs on the early side.
    const lifetimeMs = lifetimeSeconds(response) * 1000;
    const expiresAt = startedAt + lifetimeMs;
    const renewAt = expiresAt - Math.min(this.#deps.refreshSkewMs, lifetimeMs / 2);
    const set = {
      accessToken: response.access_token,
      // RFC 6749 §6: the server MAY keep the old refresh token; without a new one, reuse the old.
      refreshToken: response.refresh_token ?? previousRefresh,
      expiresAt,
      renewAt,
      response,
    };
    this.#current = set;
    return set;
  }
}

function lifetimeSeconds(response: TokenResponse): number {
  if (typeof response.expires_in === 'number') return response.expires_in;
  try {
    const { exp, iat } = decodeJwt(response.access_token).payload;
    if (typeof exp === 'number' && typeof iat === 'number' && exp > iat) return exp - iat;
  } catch {
    // An opaque access token is allowed (RFC 6749 §1.4); fall through to the conservative lifetime.
  }
  return FALLBACK_LIFETIME_S;
}
