// Throttling of repeated credential failures (no Fastify): each attempt names its identifiers (client
// id, access key id, username) and its source address; failures are counted per identifier, per
// (identifier, address) and per address in storage shared by every node, and a key past its allowance
// is delayed exponentially (429 + Retry-After), never locked out (docs/operations.md "Throttling").
import crypto from 'node:crypto';
import type { ThrottleConfig } from '../config/throttling.js';
import type { ThrottleCounter, ThrottleRepository } from '../storage/contract/throttle.js';
import { Throttled } from './errors.js';

/** What an identifier names; the sign-in form uses `username`. */
export type ThrottleIdentifierKind = 'client' | 'access_key' | 'username';

export interface ThrottleIdentifier {
  readonly kind: ThrottleIdentifierKind;
  readonly value: string;
}

/** One attempt: the identifiers it presents and where it comes from. */
export interface ThrottleSubject {
  readonly identifiers: readonly ThrottleIdentifier[];
  readonly address: string;
}

/** Which allowance a counter uses. */
export type ThrottleScope = 'pair' | 'identifier' | 'address';

interface Key {
  readonly key: string;
  readonly scope: ThrottleScope;
  readonly kind: ThrottleKeyKind;
}

/** What `check` learnt, handed back to `fail` or `succeed` (no second derivation, no second read). */
export interface ThrottleTicket {
  readonly keys: readonly Key[];
  /** Pair counters that exist: a success clears them (otherwise a success writes nothing). */
  readonly pending: readonly string[];
  /** The storage revision, read in the same statement as the counters (undefined when disabled). */
  readonly revision?: number;
}

/** The result of a failure: the kinds of the keys now delayed, and for how long. */
export interface ThrottleOutcome {
  readonly delayed: readonly { readonly kind: Key['kind']; readonly scope: ThrottleScope }[];
  /** Seconds until the longest of those delays ends (0 when nothing is delayed). */
  readonly retryAfter: number;
}

/** The throttle of every credential check: the token endpoint, and the sign-in form alike. */
export interface Throttle {
  /** Reads the counters of `subject`; throws {@link Throttled} when any of them is delaying. */
  check(subject: ThrottleSubject): Promise<ThrottleTicket>;
  /** Counts a failed attempt (wrong secret, unknown id…); may start or lengthen a delay. */
  fail(ticket: ThrottleTicket): Promise<ThrottleOutcome>;
  /** A successful attempt: forgets this identifier's failures from this address (no write if none). */
  succeed(ticket: ThrottleTicket): Promise<void>;
}

const NOTHING: ThrottleTicket = Object.freeze({ keys: [], pending: [] });
const NO_DELAY: ThrottleOutcome = Object.freeze({ delayed: [], retryAfter: 0 });

/** A digest, so no identifier (a mistyped password in a username field…) is ever stored in clear. */
function digest(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 24);
}

/** The counters of one attempt: per (identifier, address), per identifier, and per address. */
export function throttleKeys(subject: ThrottleSubject): Key[] {
  const keys: Key[] = [];
  for (const { kind, value } of subject.identifiers) {
    keys.push({ key: `${kind}@:${digest(kind, value, subject.address)}`, scope: 'pair', kind });
    keys.push({ key: `${kind}:${digest(kind, value)}`, scope: 'identifier', kind });
  }
  keys.push({ key: `address:${digest('address', subject.address)}`, scope: 'address', kind: 'address' });
  return keys;
}

/** Told of each refusal, once per kind of counter delaying it (metrics count them). */
export type OnThrottled = (kind: ThrottleKeyKind) => void;

/** The kinds a counter belongs to: an identifier's kind, or the source address. */
export type ThrottleKeyKind = ThrottleIdentifierKind | 'address';

/** Builds the throttle over its counters. With `enabled: false` every call is a no-op. */
export function createThrottle(
  counters: ThrottleRepository,
  config: ThrottleConfig,
  clock: () => Date = () => new Date(),
  onThrottled?: OnThrottled,
): Throttle {
  const allowance: Record<ThrottleScope, number> = {
    pair: config.pairFailures,
    identifier: config.identifierFailures,
    address: config.addressFailures,
  };
  /** Seconds of delay after the `failures`-th failure, or 0 while the allowance lasts. */
  const delayOf = (scope: ThrottleScope, failures: number): number => {
    const over = failures - allowance[scope];
    if (over < 0) return 0;
    return Math.min(config.maxDelay, config.baseDelay * 2 ** Math.min(over, 30));
  };
  const byKey = (keys: readonly Key[]) => new Map(keys.map((k) => [k.key, k]));

  return {
    async check(subject) {
      if (!config.enabled) return NOTHING;
      const keys = throttleKeys(subject);
      const read = await counters.readWithRevision(keys.map((k) => k.key));
      const found: ThrottleCounter[] = read.counters;
      const now = clock().getTime();
      const until = Math.max(0, ...found.map((c) => c.blockedUntil.getTime()));
      const scopes = byKey(keys);
      if (until > now) {
        if (onThrottled) {
          const kinds = new Set<ThrottleKeyKind>();
          for (const c of found) {
            const kind = scopes.get(c.key)?.kind;
            if (kind && c.blockedUntil.getTime() > now) kinds.add(kind);
          }
          for (const kind of kinds) onThrottled(kind);
        }
        throw new Throttled((until - now) / 1000);
      }
      return {
        keys,
        pending: found.filter((c) => scopes.get(c.key)?.scope === 'pair').map((c) => c.key),
        revision: read.revision,
      };
    },
    async fail(ticket) {
      if (ticket.keys.length === 0) return NO_DELAY;
      const at = clock();
      const scopes = byKey(ticket.keys);
      const counted = await counters.fail([...scopes.keys()], at, config.window * 1000);
      const delayed: { kind: Key['kind']; scope: ThrottleScope }[] = [];
      let retryAfter = 0;
      for (const counter of counted) {
        const key = scopes.get(counter.key);
        if (!key) continue;
        const delay = delayOf(key.scope, counter.failures);
        if (delay === 0) continue;
        await counters.block(counter.key, new Date(at.getTime() + delay * 1000));
        delayed.push({ kind: key.kind, scope: key.scope });
        retryAfter = Math.max(retryAfter, delay);
      }
      return { delayed, retryAfter };
    },
    async succeed(ticket) {
      if (ticket.pending.length > 0) await counters.clear(ticket.pending);
    },
  };
}
