// The throttle of every credential check: failures are counted in storage shared by every node, per
// (identifier, address) and per address, and — for people's passwords and second factors only — per
// identifier from every address; a counter past its allowance delays exponentially (429 + Retry-After),
// never locks out, and each delay that engages is audited (docs/operations.md "Throttling").
import crypto from 'node:crypto';
import type { ThrottleConfig } from '../config/throttling.js';
import { addressNetwork } from '../domain/address-network.js';
import type { Audit } from '../observability/audit.js';
import { Throttled } from '../protocol/errors.js';
import type { ThrottleCounter, ThrottleRepository } from '../storage/contract/throttle.js';

/**
 * What an identifier names: a client id, an access-key id, a username at the sign-in form, a user
 * owing a second factor (their id), or a device cookie (its id).
 */
export type ThrottleIdentifierKind =
  | 'client'
  | 'access_key'
  | 'username'
  | 'second_factor'
  | 'device'
  /** A SCIM bearer token's id (docs/scim.md). */
  | 'scim_token'
  /** An e-mail asking for a password reset link (docs/people.md). */
  | 'password_reset'
  /** An e-mail a verification link is mailed to at sign-in (docs/people.md). */
  | 'email_verification';

export interface ThrottleIdentifier {
  readonly kind: ThrottleIdentifierKind;
  readonly value: string;
  /**
   * The browser holds a device cookie of this user's earlier sign-in: the per-identifier counter from
   * every address does not apply to it (the device's own counter does).
   */
  readonly trustedDevice?: boolean;
}

/**
 * An address counter of its own, for requests that are not credential checks: they are limited per
 * address too, but never add to the delays of the sign-ins and token requests of that address (many
 * people behind one NAT asking for reset links must not slow each other's sign-ins).
 */
export type AddressPool = 'password_reset' | 'email_verification';

/** One attempt: the identifiers it presents and where it comes from. */
export interface ThrottleSubject {
  readonly identifiers: readonly ThrottleIdentifier[];
  readonly address: string;
  /** Counts against this pool's address counter instead of the address's credential counter. */
  readonly addressPool?: AddressPool;
  /**
   * Whether to read the storage revision with the counters (default true); false when the request
   * has read it already (its CORS hook), so it is read once per request.
   */
  readonly revision?: boolean;
}

/** Which allowance a counter uses: one identifier from one address, one identifier, one address. */
export type ThrottleScope = 'pair' | 'identifier' | 'address';

/** The kinds a counter belongs to: an identifier's kind, or the source address. */
export type ThrottleKeyKind = ThrottleIdentifierKind | 'address';

/**
 * The counters each kind has. Client secrets and access-key secrets are random: no guess from many
 * addresses can find one, so they have no counter from every address (knowing a public client id or
 * an access-key id must not let anyone delay its owner). People's passwords and second factors can be
 * guessed from many addresses at once, so they also count per identifier; a device cookie counts
 * wherever it is presented.
 */
const SCOPES: Record<ThrottleIdentifierKind, readonly ('pair' | 'identifier')[]> = {
  client: ['pair'],
  access_key: ['pair'],
  username: ['pair', 'identifier'],
  second_factor: ['pair', 'identifier'],
  device: ['identifier'],
  scim_token: ['pair'],
  password_reset: ['pair', 'identifier'],
  email_verification: ['pair', 'identifier'],
};

export interface ThrottleKey {
  readonly key: string;
  readonly scope: ThrottleScope;
  readonly kind: ThrottleKeyKind;
  /** The identifier it counts (absent for the address counter). */
  readonly identifier?: ThrottleIdentifier;
}

/** What `check` learnt, handed back to `fail` or `succeed` (no second derivation, no second read). */
export interface ThrottleTicket {
  readonly address: string;
  readonly addressPool?: AddressPool;
  readonly keys: readonly ThrottleKey[];
  /** Pair and device counters that exist: a success clears them (otherwise a success writes nothing). */
  readonly pending: readonly string[];
  /** The storage revision, read in the same statement as the counters (undefined when disabled). */
  readonly revision?: number;
}

/** The result of a failure: the keys now delayed, and for how long. */
export interface ThrottleOutcome {
  readonly delayed: readonly ThrottleKey[];
  /** Seconds until the longest of those delays ends (0 when nothing is delayed). */
  readonly retryAfter: number;
}

/** Who the audit event of a delay names: an existing client's actor and tenant, and what may be named. */
export interface FailureContext {
  readonly actor?: string | null;
  readonly tenantId?: string | null;
  /**
   * Identifiers known to exist, named in clear in the audit trail; any other is named by its counter
   * key (a digest), since an unknown "identifier" may be a secret typed into the wrong field.
   */
  readonly known?: readonly ThrottleIdentifier[];
}

/** The throttle of every credential check: the token endpoint, and the sign-in form alike. */
export interface Throttle {
  /** Reads the counters of `subject`; throws {@link Throttled} when any of them is delaying. */
  check(subject: ThrottleSubject): Promise<ThrottleTicket>;
  /**
   * Counts one failed attempt: against the counters of each `failed` identifier (a wrong or unknown
   * secret, password or second factor; a device cookie that presented it) and once against the
   * address's; may start or lengthen a delay, which is audited.
   */
  fail(
    ticket: ThrottleTicket,
    failed: readonly ThrottleIdentifier[],
    context?: FailureContext,
  ): Promise<ThrottleOutcome>;
  /** A successful attempt: forgets its pair and device failures (no write if there were none). */
  succeed(ticket: ThrottleTicket): Promise<void>;
}

const NO_DELAY: ThrottleOutcome = Object.freeze({ delayed: [], retryAfter: 0 });

/** A digest, so no identifier (a mistyped password in a username field…) is ever stored in clear. */
function digest(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 24);
}

/** The counters of one identifier from `address` (an IPv6 address counts as its /64). */
function identifierKeys(identifier: ThrottleIdentifier, address: string): ThrottleKey[] {
  const { kind, value } = identifier;
  const keys: ThrottleKey[] = [];
  for (const scope of SCOPES[kind]) {
    if (scope === 'pair') {
      const network = addressNetwork(address);
      keys.push({ key: `${kind}@:${digest(kind, value, network)}`, scope, kind, identifier });
    } else if (!identifier.trustedDevice) {
      keys.push({ key: `${kind}:${digest(kind, value)}`, scope, kind, identifier });
    }
  }
  return keys;
}

/** The counter of `address`, or of its pool's: an IPv6 address counts as its /64 (one host has many). */
const addressKey = (address: string, pool?: AddressPool): ThrottleKey => ({
  key:
    pool === undefined
      ? `address:${digest('address', addressNetwork(address))}`
      : `address/${pool}:${digest('address', pool, addressNetwork(address))}`,
  scope: 'address',
  kind: 'address',
});

/** The counters of one attempt: each identifier's (see SCOPES), and the address's (or its pool's). */
export function throttleKeys(subject: ThrottleSubject): ThrottleKey[] {
  const keys = subject.identifiers.flatMap((id) => identifierKeys(id, subject.address));
  keys.push(addressKey(subject.address, subject.addressPool));
  return keys;
}

/** Told of each refusal, once per kind of counter delaying it (metrics count them). */
export type OnThrottled = (kind: ThrottleKeyKind) => void;

export interface ThrottleOptions {
  readonly clock?: () => Date;
  readonly onThrottled?: OnThrottled;
  /** Where a delay that engages is recorded (`throttle.engaged`). */
  readonly audit?: Audit;
}

const same = (a: ThrottleIdentifier, b: ThrottleIdentifier) => a.kind === b.kind && a.value === b.value;

/** Builds the throttle over its counters. With `enabled: false` every call is a no-op. */
export function createThrottle(
  counters: ThrottleRepository,
  config: ThrottleConfig,
  options: ThrottleOptions = {},
): Throttle {
  const clock = options.clock ?? (() => new Date());
  const { onThrottled, audit } = options;
  const allowanceOf = (key: ThrottleKey): number => {
    if (key.scope === 'address') return config.addressFailures;
    if (key.scope === 'pair' || key.kind === 'device') return config.pairFailures;
    return config.identifierFailures;
  };
  /** Seconds of delay after the `failures`-th failure, or 0 while the allowance lasts. */
  const delayOf = (key: ThrottleKey, failures: number): number => {
    const over = failures - allowanceOf(key);
    if (over < 0) return 0;
    return Math.min(config.maxDelay, config.baseDelay * 2 ** Math.min(over, 30));
  };

  /** The audit event of delays that engaged: each counter by kind, scope and what it counts. */
  const recordDelay = (ticket: ThrottleTicket, outcome: ThrottleOutcome, context: FailureContext) => {
    if (!audit) return;
    const named = (key: ThrottleKey): string => {
      const id = key.identifier;
      if (!id) return `address=${ticket.address}`;
      const known = context.known?.some((k) => same(k, id)) ?? false;
      const what = known ? id.value : `#${key.key}`;
      return key.scope === 'pair' ? `${id.kind}=${what}@${ticket.address}` : `${id.kind}=${what}`;
    };
    audit.record({
      type: 'throttle.engaged',
      actor: context.actor ?? null,
      tenantId: context.tenantId ?? null,
      address: ticket.address,
      details: {
        delayed: outcome.delayed.map((d) => `${d.kind}/${d.scope}`).join(' '),
        counters: outcome.delayed.map(named).join(' '),
        retryAfterSeconds: outcome.retryAfter,
      },
    });
  };

  return {
    async check(subject) {
      if (!config.enabled) return { address: subject.address, keys: [], pending: [] };
      const keys = throttleKeys(subject);
      const names = keys.map((k) => k.key);
      const read =
        subject.revision === false
          ? { revision: undefined, counters: await counters.read(names) }
          : await counters.readWithRevision(names);
      const found: ThrottleCounter[] = read.counters;
      const now = clock().getTime();
      const until = Math.max(0, ...found.map((c) => c.blockedUntil.getTime()));
      const byKey = new Map(keys.map((k) => [k.key, k]));
      if (until > now) {
        if (onThrottled) {
          const kinds = new Set<ThrottleKeyKind>();
          for (const c of found) {
            const kind = byKey.get(c.key)?.kind;
            if (kind && c.blockedUntil.getTime() > now) kinds.add(kind);
          }
          for (const kind of kinds) onThrottled(kind);
        }
        throw new Throttled((until - now) / 1000);
      }
      const clearable = (k: ThrottleKey | undefined) => k?.scope === 'pair' || k?.kind === 'device';
      return {
        address: subject.address,
        ...(subject.addressPool === undefined ? {} : { addressPool: subject.addressPool }),
        keys,
        pending: found.filter((c) => clearable(byKey.get(c.key))).map((c) => c.key),
        revision: read.revision,
      };
    },
    async fail(ticket, failed, context = {}) {
      if (!config.enabled) return NO_DELAY;
      // Each failed identifier's counters as checked (with its device exemption), and the address's.
      const keys = failed.flatMap((id) => {
        const checked = ticket.keys.filter((k) => k.identifier && same(k.identifier, id));
        return checked.length > 0 ? checked : identifierKeys(id, ticket.address);
      });
      keys.push(addressKey(ticket.address, ticket.addressPool));
      const byKey = new Map(keys.map((k) => [k.key, k]));
      const at = clock();
      const counted = await counters.fail([...byKey.keys()], at, config.window * 1000);
      const delayed: ThrottleKey[] = [];
      let retryAfter = 0;
      for (const counter of counted) {
        const key = byKey.get(counter.key);
        if (!key) continue;
        const delay = delayOf(key, counter.failures);
        if (delay === 0) continue;
        await counters.block(counter.key, new Date(at.getTime() + delay * 1000));
        delayed.push(key);
        retryAfter = Math.max(retryAfter, delay);
      }
      const outcome = { delayed, retryAfter };
      if (retryAfter > 0) recordDelay(ticket, outcome, context);
      return outcome;
    },
    async succeed(ticket) {
      if (ticket.pending.length > 0) await counters.clear(ticket.pending);
    },
  };
}
