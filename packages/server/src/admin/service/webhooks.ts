// The webhook verbs of the admin service (`cxauth admin webhook …`, docs/webhooks.md): a tenant's
// subscriptions (tenantId null: the platform-wide ones), answered in the admin API's shapes. Each change
// stores its audit event in its own transaction (webhooks/subscriptions.ts); the secret is in the
// answer of create and rotate-secret only.
import { createAudit } from '../../observability/audit.js';
import { AdminError } from '../../protocol/errors.js';
import { createWebhookAdmin } from '../../webhooks/subscriptions.js';
import { deliveryView, webhookView } from '../../webhooks/views.js';
import { type AdminContext, notFound } from './context.js';
import type { CredentialKeys } from './credentials.js';

export interface WebhookInput {
  readonly url?: string;
  readonly event_types?: readonly string[];
  readonly enabled?: boolean;
}

export function webhookAdmin(ctx: AdminContext, keys?: CredentialKeys, actor = 'cli', allowPrivate = false) {
  const { storage, clock } = ctx;
  const acting = { actor };
  const hooks = () => {
    if (!keys) throw new AdminError('invalid_value', 'the webhook verbs need the KEK');
    const audit = createAudit({ store: storage.auditEvents, atomically: storage.atomically, clock });
    return createWebhookAdmin({ storage, kek: keys.kek, clock, audit, allowPrivate });
  };
  /** The subscription, when it is this tenant's (or platform-wide for null); else "not found". */
  const load = async (tenantId: string | null, id: string) => {
    const s = await storage.webhooks.getSubscription(id);
    if (!s || s.tenantId !== tenantId) throw notFound('webhook', id);
    return s;
  };
  return {
    async createWebhook(tenantId: string | null, input: WebhookInput) {
      if (input.url === undefined) throw new AdminError('invalid_value', 'url is required');
      const { subscription, secret } = await hooks().create(
        tenantId,
        {
          url: input.url,
          eventTypes: input.event_types ?? [],
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        },
        acting,
      );
      return { ...webhookView(subscription), secret };
    },
    listWebhooks: async (tenantId: string | null) =>
      (await storage.webhooks.listSubscriptions(tenantId)).map(webhookView),
    showWebhook: async (tenantId: string | null, id: string) => webhookView(await load(tenantId, id)),
    async updateWebhook(tenantId: string | null, id: string, input: WebhookInput) {
      const updated = await hooks().update(
        await load(tenantId, id),
        {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.event_types !== undefined ? { eventTypes: input.event_types } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        },
        acting,
      );
      return webhookView(updated);
    },
    async deleteWebhook(tenantId: string | null, id: string) {
      const s = await load(tenantId, id);
      await hooks().remove(s, acting);
      return webhookView(s);
    },
    async rotateWebhookSecret(tenantId: string | null, id: string, overlapSeconds?: number) {
      const { subscription, secret } = await hooks().rotate(
        await load(tenantId, id),
        acting,
        ...(overlapSeconds === undefined ? [] : [overlapSeconds * 1000]),
      );
      return { ...webhookView(subscription), secret };
    },
    listWebhookDeliveries: async (tenantId: string | null, id: string, limit?: number) =>
      (await hooks().deliveries(await load(tenantId, id), limit)).map((d) => deliveryView(d)),
    async redeliverWebhook(tenantId: string | null, id: string, deliveryId: string) {
      const s = await load(tenantId, id);
      if (!(await hooks().redeliver(s, deliveryId))) throw notFound('delivery', deliveryId);
      return { id: deliveryId, webhookId: s.id, redelivered: true };
    },
  };
}
