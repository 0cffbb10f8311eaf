// The delivery worker of one node: claims due deliveries from the outbox (a lease, so one node at a
// time holds each), signs and sends them with bounded concurrency and a timeout each, records every
// attempt, schedules retries, and switches off a subscription failing for 5 days, or at once when its
// receiver answers 410 Gone (with an audit event in the same transaction).
// It runs beside the request path, never on it: a hanging receiver holds one of its slots, no request.
import crypto from 'node:crypto';
import type { WebhookConfig } from '../config/webhooks.js';
import type { Logger } from '../domain/logger.js';
import { leasedPoller } from '../jobs/leased-poller.js';
import type { Audit } from '../observability/audit.js';
import type { Storage } from '../storage/contract/index.js';
import type { WebhookDelivery, WebhookSubscription } from '../storage/contract/webhooks.js';
import { DISABLE_AFTER_MS, RETRY_WINDOW_MS, retryDelay } from './backoff.js';
import { type SendResult, send } from './sender.js';
import { openSecret, signedHeaders } from './signer.js';
import { resolveTarget, WebhookTargetError } from './targets.js';

/** How one attempt ended, as counted by `cxauth_webhook_deliveries_total{outcome}`. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface WebhookWorkerOptions {
  readonly storage: Pick<Storage, 'webhooks'>;
  readonly kek: Buffer;
  readonly config: WebhookConfig;
  readonly clock?: () => Date;
  readonly audit?: Audit;
  readonly log?: Pick<Logger, 'warn' | 'error'>;
  readonly random?: () => number;
  /** Told of each attempt's outcome (the metrics). */
  readonly onAttempt?: (outcome: DeliveryOutcome) => void;
}

export interface WebhookWorker {
  /** Starts polling every `config.pollMs`. */
  start(): void;
  /** Looks for due deliveries now (after an event was stored, or in tests). */
  kick(): void;
  /** Claims one batch of due deliveries and waits until each has been attempted; returns how many. */
  runOnce(): Promise<number>;
  /** Stops polling, cuts in-flight attempts short (not counted) and gives their deliveries back. */
  stop(): Promise<void>;
}

export function createWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { storage, kek, config } = options;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const owner = `node_${crypto.randomBytes(8).toString('hex')}`;
  const stopping = new AbortController();

  const secretsOf = (s: WebhookSubscription, now: Date): string[] => {
    const current = openSecret(kek, s.id, s.sealedSecret);
    const overlap = s.sealedPrevious && s.previousUntil && s.previousUntil > now;
    return overlap && s.sealedPrevious ? [current, openSecret(kek, s.id, s.sealedPrevious)] : [current];
  };

  /** Tracks the subscription's failing streak; switches it off after DISABLE_AFTER_MS of failures. */
  const noteHealth = async (s: WebhookSubscription, ok: boolean, now: Date) => {
    if (ok) {
      if (s.failingSince)
        await storage.webhooks.updateSubscription(s.id, { failingSince: null, updatedAt: now });
      return;
    }
    if (!s.failingSince) {
      await storage.webhooks.updateSubscription(s.id, { failingSince: now, updatedAt: now });
      return;
    }
    if (now.getTime() - s.failingSince.getTime() < DISABLE_AFTER_MS || !s.enabled) return;
    await disable(s, 'every delivery failed for 5 days', now, {
      failingSince: s.failingSince.toISOString(),
    });
  };

  /** Switches `s` off, with its `webhook.disabled` event in the same transaction. */
  const disable = async (
    s: WebhookSubscription,
    reason: string,
    now: Date,
    details: Record<string, string> = {},
  ): Promise<void> => {
    const change = () =>
      storage.webhooks.updateSubscription(s.id, { enabled: false, disabledReason: reason, updatedAt: now });
    if (!options.audit) {
      await change();
      return;
    }
    await options.audit.within(change, () => ({
      type: 'webhook.disabled',
      actor: 'service',
      subject: `webhook:${s.id}`,
      tenantId: s.tenantId,
      details: { reason, ...details },
    }));
  };

  const attempt = async (d: WebhookDelivery): Promise<void> => {
    const subscription = await storage.webhooks.getSubscription(d.subscriptionId);
    const now = clock();
    let result: SendResult;
    if (!subscription?.enabled) {
      result = { status: null, latencyMs: 0, error: 'subscription disabled', aborted: false };
    } else {
      try {
        // Checked at each attempt: the host may resolve elsewhere than when it was subscribed.
        const target = await resolveTarget(subscription.url, config.allowPrivate);
        const headers = signedHeaders(secretsOf(subscription, now), d.id, now, d.payload);
        result = await send(target, headers, d.payload, config.timeoutMs, stopping.signal);
      } catch (err) {
        const error = err instanceof WebhookTargetError ? err.message : 'could not sign or send';
        result = { status: null, latencyMs: 0, error, aborted: false };
      }
    }
    if (result.aborted) {
      await storage.webhooks.release([d.id], owner);
      return;
    }
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const number = d.attempts + 1;
    const expired = now.getTime() - d.createdAt.getTime() >= RETRY_WINDOW_MS;
    // 410 Gone: the receiver unsubscribes (as Standard Webhooks senders take it); never retried.
    const gone = result.status === 410;
    const outcome: DeliveryOutcome = ok
      ? 'delivered'
      : expired || gone || !subscription?.enabled
        ? 'failed'
        : 'retry';
    const recorded = await storage.webhooks.complete(d.id, owner, {
      attempt: {
        deliveryId: d.id,
        attempt: number,
        at: now,
        status: result.status,
        latencyMs: result.latencyMs,
        error: result.error,
      },
      state: outcome === 'delivered' ? 'delivered' : outcome === 'failed' ? 'failed' : 'pending',
      nextAttemptAt: new Date(now.getTime() + (outcome === 'retry' ? retryDelay(number, random) : 0)),
    });
    options.onAttempt?.(outcome);
    if (!recorded || !subscription?.enabled) return;
    if (gone) await disable(subscription, 'the receiver answered 410 Gone', now);
    else await noteHealth(subscription, ok, now);
  };

  return leasedPoller({
    concurrency: config.concurrency,
    pollMs: config.pollMs,
    claim: (free) =>
      stopping.signal.aborted
        ? Promise.resolve([])
        : storage.webhooks.claim(clock(), config.leaseMs, free, owner),
    work: attempt,
    describe: (d) => ({ delivery: d.id }),
    what: 'webhook deliveries',
    log: options.log,
    // In-flight attempts are cut short (not counted) and their deliveries given back.
    onStop: () => stopping.abort(),
  });
}
