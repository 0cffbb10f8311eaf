// The contract of the webhooks aggregate: subscriptions (per tenant, or platform-wide when `tenantId`
// is null), the outbox of deliveries (one per event and matching subscription, written in the same
// transaction as the audit events they report), and the log of each delivery's attempts.

export interface WebhookSubscription {
  /** `wh_…` */
  readonly id: string;
  /** The tenant whose events it receives; null: every event of the platform (operators only). */
  readonly tenantId: string | null;
  readonly url: string;
  /** Audit event types it receives; `*` is every type. */
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  /** The signing secret, sealed with the KEK (never stored in the clear). */
  readonly sealedSecret: Buffer;
  /** The secret before the last rotation, still signing beside the new one until `previousUntil`. */
  readonly sealedPrevious: Buffer | null;
  readonly previousUntil: Date | null;
  /** Since when every attempt has failed (null: the last one succeeded). */
  readonly failingSince: Date | null;
  /** Why it was switched off by the service (e.g. failing for 5 days); null when by an administrator. */
  readonly disabledReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type WebhookSubscriptionPatch = Partial<
  Pick<
    WebhookSubscription,
    | 'url'
    | 'eventTypes'
    | 'enabled'
    | 'sealedSecret'
    | 'sealedPrevious'
    | 'previousUntil'
    | 'failingSince'
    | 'disabledReason'
  >
> & { readonly updatedAt: Date };

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** The Standard Webhooks `webhook-id`: the same on every attempt and redelivery. */
  readonly id: string;
  readonly subscriptionId: string;
  readonly tenantId: string | null;
  readonly eventId: string;
  readonly eventType: string;
  /** The JSON body, exactly as signed and sent. */
  readonly payload: string;
  readonly createdAt: Date;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
}

export interface WebhookAttempt {
  readonly deliveryId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly at: Date;
  /** The receiver's HTTP status; null when no answer came (refused, timed out, blocked). */
  readonly status: number | null;
  readonly latencyMs: number;
  /** A short reason for a failure (never a header or body of the receiver). */
  readonly error: string | null;
}

/** What a node does with a delivery after one attempt. */
export interface AttemptOutcome {
  readonly attempt: WebhookAttempt;
  readonly state: DeliveryState;
  /** When to try again (pending only). */
  readonly nextAttemptAt: Date;
}

export interface WebhookQueue {
  /** Deliveries waiting (pending). */
  readonly depth: number;
  /** When the oldest waiting delivery was written (null: none waits). */
  readonly oldest: Date | null;
}

export interface WebhookRepository {
  createSubscription(s: WebhookSubscription): Promise<void>;
  getSubscription(id: string): Promise<WebhookSubscription | undefined>;
  /** One tenant's subscriptions, or (null) the platform-wide ones; oldest first. */
  listSubscriptions(tenantId: string | null): Promise<WebhookSubscription[]>;
  updateSubscription(id: string, patch: WebhookSubscriptionPatch): Promise<WebhookSubscription | undefined>;
  /** Deletes the subscription with its deliveries and their attempts; false when there was none. */
  deleteSubscription(id: string): Promise<boolean>;
  /**
   * Takes up to `limit` due deliveries for `owner` until `now + leaseMs`: each is held by one node at
   * a time (PostgreSQL: `FOR UPDATE SKIP LOCKED`), and taken again by any node once the lease ends.
   */
  claim(now: Date, leaseMs: number, limit: number, owner: string): Promise<WebhookDelivery[]>;
  /** Records an attempt of a delivery `owner` holds, and ends its lease; false when it no longer held it. */
  complete(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** Gives back deliveries `owner` holds without an attempt (the node is stopping). */
  release(ids: readonly string[], owner: string): Promise<void>;
  getDelivery(id: string): Promise<WebhookDelivery | undefined>;
  /** A subscription's deliveries, newest first. */
  listDeliveries(subscriptionId: string, limit: number): Promise<WebhookDelivery[]>;
  listAttempts(deliveryId: string): Promise<WebhookAttempt[]>;
  /** Makes a delivery due again at `now` (same id), whatever its state; false when there is none. */
  redeliver(id: string, now: Date): Promise<boolean>;
  queue(): Promise<WebhookQueue>;
  /** Deletes up to `limit` finished (delivered or failed) deliveries made before `before`, with their attempts. */
  purge(before: Date, limit: number): Promise<number>;
}
