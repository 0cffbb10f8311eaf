// Throttling of sign-in attempts per username and per source address, through the one throttle of
// every credential check (protocol/throttling.ts): its counters are shared by every node on the
// database, so the form and the token endpoint slow a guesser alike (docs/operations.md "Throttling").
import { Throttled } from '../protocol/errors.js';
import { type Throttle, type ThrottleSubject, throttleKeys } from '../protocol/throttling.js';

/** How long to wait before the next attempt, seconds; undefined when an attempt may go ahead. */
export type ThrottleVerdict = { readonly retryAfter: number } | undefined;

export interface SignInThrottle {
  /** Whether an attempt for `username` from `ip` may go ahead now. */
  check(username: string, ip: string): Promise<ThrottleVerdict>;
  /** Counts a failed attempt. */
  fail(username: string, ip: string): Promise<void>;
  /** Clears the username's failures from `ip` (a successful sign-in). */
  succeed(username: string, ip: string): Promise<void>;
}

/** E-mail addresses are compared without case, so `Ann@x` and `ann@x` share their counters. */
function subjectOf(username: string, ip: string): ThrottleSubject {
  return { identifiers: [{ kind: 'username', value: username.toLowerCase() }], address: ip };
}

/**
 * The sign-in form's view of the shared throttle. A failure counts against the username, the
 * (username, address) pair and the address; a success clears the pair, as at the token endpoint.
 * @see NIST SP 800-63B §5.2.2 (rate limiting)
 */
export function sharedSignInThrottle(throttle: Throttle): SignInThrottle {
  return {
    async check(username, ip) {
      try {
        await throttle.check(subjectOf(username, ip));
        return undefined;
      } catch (err) {
        if (err instanceof Throttled) return { retryAfter: err.retryAfter };
        throw err;
      }
    },
    async fail(username, ip) {
      await throttle.fail({ keys: throttleKeys(subjectOf(username, ip)), pending: [] });
    },
    async succeed(username, ip) {
      const pair = throttleKeys(subjectOf(username, ip)).filter((k) => k.scope === 'pair');
      await throttle.succeed({ keys: pair, pending: pair.map((k) => k.key) });
    },
  };
}
