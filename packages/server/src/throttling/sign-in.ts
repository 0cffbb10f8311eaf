// The sign-in form's view of the shared throttle (throttling/throttle.ts): a password counts per
// (username, address), per address and per username from every address, except in a browser holding
// a device cookie of that user, where the device's own counter stands in for the username's; a second
// factor counts the same way per user (docs/operations.md "Throttling").
import { Throttled } from '../protocol/errors.js';
import type { Throttle, ThrottleIdentifier, ThrottleTicket } from './throttle.js';

/** One attempt at the sign-in form. */
export interface SignInAttempt {
  /** What is checked: a password for a username, or a second factor of a user (by id). */
  readonly factor: 'password' | 'second_factor';
  readonly name: string;
  readonly address: string;
  /** The id of a device cookie this browser holds of an earlier sign-in of this user, if any. */
  readonly device?: string | undefined;
}

/** An attempt may go ahead (with its ticket), or must wait `retryAfter` seconds. */
export type SignInVerdict =
  | { readonly allowed: true; readonly ticket: SignInTicket }
  | { readonly allowed: false; readonly retryAfter: number };

export interface SignInTicket {
  readonly ticket: ThrottleTicket;
  readonly identifier: ThrottleIdentifier;
  readonly device: ThrottleIdentifier | undefined;
}

export interface SignInThrottle {
  check(attempt: SignInAttempt): Promise<SignInVerdict>;
  /** Counts a wrong password or second factor; `known` when the user exists (named in the audit). */
  fail(ticket: SignInTicket, known: boolean): Promise<void>;
  /** A successful attempt: clears this identifier's failures from this address, and the device's. */
  succeed(ticket: SignInTicket): Promise<void>;
}

/** E-mail addresses are compared without case, so `Ann@x` and `ann@x` share their counters. */
const normal = (attempt: SignInAttempt) =>
  attempt.factor === 'password' ? attempt.name.toLowerCase() : attempt.name;

/**
 * Builds the sign-in throttle over the shared one.
 * @see NIST SP 800-63B §5.2.2 (rate limiting), OWASP "Slow down online guessing attacks with device
 * cookies"
 */
export function sharedSignInThrottle(throttle: Throttle): SignInThrottle {
  return {
    async check(attempt) {
      const trusted = attempt.device !== undefined;
      const identifier: ThrottleIdentifier = {
        kind: attempt.factor === 'password' ? 'username' : 'second_factor',
        value: normal(attempt),
        trustedDevice: trusted,
      };
      const device: ThrottleIdentifier | undefined =
        attempt.device === undefined ? undefined : { kind: 'device', value: attempt.device };
      try {
        const ticket = await throttle.check({
          identifiers: device ? [identifier, device] : [identifier],
          address: attempt.address,
        });
        return { allowed: true, ticket: { ticket, identifier, device } };
      } catch (err) {
        if (err instanceof Throttled) return { allowed: false, retryAfter: err.retryAfter };
        throw err;
      }
    },
    async fail({ ticket, identifier, device }, known) {
      // A device cookie that fails too often is delayed by itself, wherever it is presented.
      await throttle.fail(ticket, device ? [identifier, device] : [identifier], {
        known: known ? [identifier] : [],
      });
    },
    async succeed({ ticket }) {
      await throttle.succeed(ticket);
    },
  };
}
