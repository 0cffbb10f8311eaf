// Managing webhook subscriptions: create (the `whsec_` secret shown once), change, rotate the secret
// with an overlap, delete, the delivery log and redelivery. Each change is an audit event by its actor.
// Targets are checked against the SSRF rules here as well as at each delivery (targets.ts).
import crypto from 'node:crypto';
import { AUDIT_EVENT_TYPES, type Audit } from '../observability/audit.js';
import { AdminError } from '../protocol/errors.js';
import type { Storage } from '../storage/contract/index.js';
import type { WebhookAttempt, WebhookDelivery, WebhookSubscription } from '../storage/contract/webhooks.js';
import { generateWebhookSecret, sealSecret } from './signer.js';
import { resolveTarget, WebhookTargetError } from './targets.js';

/** How long the secret before a rotation keeps signing beside the new one, by default. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
/** The most deliveries one log listing returns. */
export const MAX_DELIVERY_LOG = 200;

export interface SubscriptionInput {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly enabled?: boolean;
}

export interface WebhookAdminOptions {
  readonly storage: Pick<Storage, 'webhooks'>;
  readonly kek: Buffer;
  readonly clock: () => Date;
  readonly audit: Audit;
  readonly allowPrivate: boolean;
}

/** Who acts, and from where (the audit event's actor and address). */
export interface Acting {
  readonly actor: string;
  readonly address?: string | null;
}

const invalid = (message: string, name: string) =>
  new AdminError('invalid_value', message, { in: 'body', name });

function eventTypes(given: readonly string[]): string[] {
  const known = new Set<string>(AUDIT_EVENT_TYPES);
  const types = [...new Set(given)];
  if (types.length === 0)
    throw invalid('event_types must name at least one event type, or "*"', 'event_types');
  for (const t of types) {
    if (t !== '*' && !known.has(t))
      throw invalid(`event_types: "${t}" is not an audit event type`, 'event_types');
  }
  return types.includes('*') ? ['*'] : types.sort();
}

export function createWebhookAdmin(options: WebhookAdminOptions) {
  const { storage, kek, clock, audit } = options;

  /** A URL that is http(s), without credentials or fragment, whose host is allowed now. */
  const checkedUrl = async (raw: string): Promise<string> => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('url must be an absolute URL', 'url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalid('url must be http or https', 'url');
    if (url.username || url.password || url.hash)
      throw invalid('url must not have credentials or a fragment', 'url');
    try {
      await resolveTarget(url.href, options.allowPrivate);
    } catch (err) {
      if (err instanceof WebhookTargetError) throw invalid(`url: ${err.message}`, 'url');
      throw err;
    }
    return url.href;
  };

  /** Runs `change` with its event stored in the same transaction (Audit `within`). */
  const recorded = <T>(
    acting: Acting,
    type: 'webhook.created' | 'webhook.changed' | 'webhook.secret_rotated' | 'webhook.deleted',
    change: () => Promise<T>,
    about: (result: T) => { s: WebhookSubscription; details?: Record<string, string | boolean | null> },
  ): Promise<T> =>
    audit.within(change, (result) => {
      const { s, details = {} } = about(result);
      return {
        type,
        actor: acting.actor,
        address: acting.address ?? null,
        subject: `webhook:${s.id}`,
        tenantId: s.tenantId,
        details,
      };
    });

  return {
    async create(
      tenantId: string | null,
      input: SubscriptionInput,
      acting: Acting,
    ): Promise<{ subscription: WebhookSubscription; secret: string }> {
      const url = await checkedUrl(input.url);
      const now = clock();
      const id = `wh_${crypto.randomBytes(12).toString('hex')}`;
      const secret = generateWebhookSecret();
      const subscription: WebhookSubscription = {
        id,
        tenantId,
        url,
        eventTypes: eventTypes(input.eventTypes),
        enabled: input.enabled ?? true,
        sealedSecret: sealSecret(kek, id, secret),
        sealedPrevious: null,
        previousUntil: null,
        failingSince: null,
        disabledReason: null,
        createdAt: now,
        updatedAt: now,
      };
      // The origin only: a receiver's path or query may itself be a secret (a capability URL).
      await recorded(
        acting,
        'webhook.created',
        () => storage.webhooks.createSubscription(subscription),
        () => ({ s: subscription, details: { target: new URL(url).origin } }),
      );
      return { subscription, secret };
    },
    list: (tenantId: string | null) => storage.webhooks.listSubscriptions(tenantId),
    get: (id: string) => storage.webhooks.getSubscription(id),
    async update(
      s: WebhookSubscription,
      patch: Partial<SubscriptionInput>,
      acting: Acting,
    ): Promise<WebhookSubscription> {
      const url = patch.url === undefined ? undefined : await checkedUrl(patch.url);
      const types = patch.eventTypes === undefined ? undefined : eventTypes(patch.eventTypes);
      const changed = Object.keys(patch)
        .filter((k) => patch[k as keyof SubscriptionInput] !== undefined)
        .sort()
        .join(',');
      return recorded(
        acting,
        'webhook.changed',
        async () => {
          const updated = await storage.webhooks.updateSubscription(s.id, {
            updatedAt: clock(),
            ...(url !== undefined ? { url } : {}),
            ...(types !== undefined ? { eventTypes: types } : {}),
            // Switched on again by hand: its failing streak and the service's reason are forgotten.
            ...(patch.enabled !== undefined
              ? {
                  enabled: patch.enabled,
                  ...(patch.enabled ? { failingSince: null, disabledReason: null } : {}),
                }
              : {}),
          });
          if (!updated) throw new AdminError('not_found', `no webhook with id "${s.id}"`);
          return updated;
        },
        (updated) => ({ s: updated, details: { changed } }),
      );
    },
    /** A new secret; the current one keeps signing beside it for `overlapMs` (0: ends now). */
    async rotate(
      s: WebhookSubscription,
      acting: Acting,
      overlapMs = ROTATION_OVERLAP_MS,
    ): Promise<{ subscription: WebhookSubscription; secret: string }> {
      const now = clock();
      const secret = generateWebhookSecret();
      const until = overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null;
      const updated = await recorded(
        acting,
        'webhook.secret_rotated',
        async () => {
          const done = await storage.webhooks.updateSubscription(s.id, {
            updatedAt: now,
            sealedSecret: sealSecret(kek, s.id, secret),
            sealedPrevious: until ? s.sealedSecret : null,
            previousUntil: until,
          });
          if (!done) throw new AdminError('not_found', `no webhook with id "${s.id}"`);
          return done;
        },
        (done) => ({ s: done, details: { overlapUntil: until ? until.toISOString() : null } }),
      );
      return { subscription: updated, secret };
    },
    async remove(s: WebhookSubscription, acting: Acting): Promise<void> {
      await recorded(
        acting,
        'webhook.deleted',
        () => storage.webhooks.deleteSubscription(s.id),
        () => ({ s }),
      );
    },
    deliveries: (s: WebhookSubscription, limit = 50): Promise<WebhookDelivery[]> =>
      storage.webhooks.listDeliveries(s.id, Math.min(Math.max(limit, 1), MAX_DELIVERY_LOG)),
    /** One delivery of `s` (undefined when it is another subscription's) with its attempts. */
    async delivery(
      s: WebhookSubscription,
      id: string,
    ): Promise<{ delivery: WebhookDelivery; attempts: WebhookAttempt[] } | undefined> {
      const delivery = await storage.webhooks.getDelivery(id);
      if (!delivery || delivery.subscriptionId !== s.id) return undefined;
      return { delivery, attempts: await storage.webhooks.listAttempts(id) };
    },
    /** Makes one delivery of `s` due now (same `webhook-id`); false when it is not one of `s`. */
    async redeliver(s: WebhookSubscription, id: string): Promise<boolean> {
      const delivery = await storage.webhooks.getDelivery(id);
      if (!delivery || delivery.subscriptionId !== s.id) return false;
      return storage.webhooks.redeliver(id, clock());
    },
  };
}

export type WebhookAdmin = ReturnType<typeof createWebhookAdmin>;
