// Bounded storage: the list of purgers (one entry each) and the run that applies them in batches until
// each has nothing left, under the cluster-wide purge lock, so many nodes can run it at once
// (docs/operations.md "Purge"). Each purger runs on its own: one that fails is reported and counted,
// the others still run, and the next run tries it again. Adding a kind is one entry in PURGERS.
import type { RetentionConfig } from '../config/retention.js';
import type { ThrottleConfig } from '../config/throttling.js';
import type { TokenConfig } from '../config/tokens.js';
import type { Storage } from '../storage/contract/index.js';

/** What one purge run may delete: everything that ended before `now`, and what retention lets go. */
export interface PurgeContext {
  readonly now: Date;
  readonly auditBefore: Date;
  readonly throttleIdleBefore: Date;
  /** Revocation events older than one access-token lifetime plus the tolerance cover no live token. */
  readonly revocationsBefore: Date;
}

export interface Purger {
  readonly name: string;
  /** Deletes at most `limit` rows; returns how many. */
  readonly batch: (storage: Storage, context: PurgeContext, limit: number) => Promise<number>;
}

/**
 * Every purger, in the order a run takes them. None depends on another having run: each deletes only
 * rows nothing else refers to (a session waits for its refresh tokens, a sign-in for its codes and
 * grant sessions), so refresh tokens before sessions before sign-ins only means less is left over.
 */
export const PURGERS: readonly Purger[] = [
  { name: 'refresh_tokens', batch: (s, c, limit) => s.purge.refreshTokens(c.now, limit) },
  { name: 'sessions', batch: (s, c, limit) => s.purge.sessions(c.now, limit) },
  { name: 'authorization_codes', batch: (s, c, limit) => s.purge.authorizationCodes(c.now, limit) },
  { name: 'sign_ins', batch: (s, c, limit) => s.purge.signIns(c.now, limit) },
  { name: 'audit_events', batch: (s, c, limit) => s.auditEvents.purge(c.auditBefore, limit) },
  { name: 'throttle', batch: (s, c, limit) => s.throttle.purge(c.throttleIdleBefore, c.now, limit) },
  { name: 'revocation_events', batch: (s, c, limit) => s.revocations.purge(c.revocationsBefore, limit) },
  { name: 'consents', batch: (s, _c, limit) => s.consents.purgeOrphans(limit) },
  {
    name: 'device_authorizations',
    batch: (s, c, limit) => s.deviceAuthorizations.purgeExpired(c.now, limit),
  },
  {
    name: 'federation_requests',
    batch: (s, c, limit) => s.identityProviders.purgeExpired(c.now, limit),
  },
  { name: 'saml_assertions', batch: (s, c, limit) => s.identityProviders.purgeAssertions(c.now, limit) },
  { name: 'dpop_proofs', batch: (s, c, limit) => s.dpopProofs.purgeExpired(c.now, limit) },
  { name: 'passkey_challenges', batch: (s, c, limit) => s.passkeys.purgeChallenges(c.now, limit) },
  { name: 'webhook_deliveries', batch: (s, c, limit) => s.webhooks.purge(c.auditBefore, limit) },
  { name: 'mail_outbox', batch: (s, c, limit) => s.people.purgeMail(c.auditBefore, limit) },
  { name: 'password_resets', batch: (s, c, limit) => s.people.purgeResets(c.now, limit) },
  { name: 'invitations', batch: (s, c, limit) => s.people.purgeInvitations(c.now, limit) },
  {
    name: 'email_verifications',
    batch: (s, c, limit) => s.people.purgeVerifications(c.now, limit),
  },
];

/** What one purger did in a run: rows deleted, and whether it stopped on an error (`failed`). */
export interface PurgeOutcome {
  readonly deleted: number;
  /** The error's message (no row values: storage errors name tables and constraints). */
  readonly failed?: string;
}

/** Each purger's outcome, by name. */
export type PurgeReport = Record<string, PurgeOutcome>;

/** Told of each purger that fails, with its name and the error (the run goes on). */
export type PurgeFailureHandler = (kind: string, err: unknown) => void;

export interface PurgeOptions {
  readonly retention: RetentionConfig;
  readonly throttling: Pick<ThrottleConfig, 'window'>;
  /** The lifetimes revocation events must outlive (the revocation feed's `max_token_age`). */
  readonly tokens: Pick<TokenConfig, 'accessTokenTtl' | 'clockTolerance'>;
  readonly now?: Date;
  readonly purgers?: readonly Purger[];
  readonly onFailure?: PurgeFailureHandler;
}

/** The message of a failure, without its stack, cause or driver details (which may hold row values). */
export function failureMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}

/**
 * Deletes what can never be used again, `retention.purgeBatchSize` rows per statement, each purger
 * until a batch comes back short or fails. Rejects only when the purge lock cannot be taken.
 */
export async function purge(storage: Storage, options: PurgeOptions): Promise<PurgeReport> {
  const now = options.now ?? new Date();
  const tokenAge = options.tokens.accessTokenTtl + options.tokens.clockTolerance;
  const context: PurgeContext = {
    now,
    auditBefore: new Date(now.getTime() - options.retention.auditRetentionDays * 86_400_000),
    throttleIdleBefore: new Date(now.getTime() - options.throttling.window * 1000),
    revocationsBefore: new Date(now.getTime() - tokenAge * 1000),
  };
  const limit = options.retention.purgeBatchSize;
  return storage.purge.exclusively(async () => {
    const report: PurgeReport = {};
    for (const purger of options.purgers ?? PURGERS) {
      let deleted = 0;
      try {
        for (;;) {
          const n = await purger.batch(storage, context, limit);
          deleted += n;
          if (n < limit) break;
        }
        report[purger.name] = { deleted };
      } catch (err) {
        report[purger.name] = { deleted, failed: failureMessage(err) };
        options.onFailure?.(purger.name, err);
      }
    }
    return report;
  });
}

/**
 * Runs `purge` every `retention.purgeInterval` seconds (0: never) until the returned stop is called;
 * a run that cannot start (the lock) is reported and the next one tried on schedule.
 */
export function schedulePurge(
  storage: Storage,
  options: Omit<PurgeOptions, 'now'> & {
    readonly clock?: () => Date;
    readonly onReport?: (report: PurgeReport) => void;
    readonly onError?: (err: unknown) => void;
  },
): () => Promise<void> {
  const seconds = options.retention.purgeInterval;
  if (seconds === 0) return async () => undefined;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = purge(storage, { ...options, now: options.clock?.() })
      .then((report) => options.onReport?.(report), options.onError)
      .finally(() => {
        running = undefined;
      });
  }, seconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
