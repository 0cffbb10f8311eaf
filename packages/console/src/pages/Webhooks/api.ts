// The webhook routes of one scope: the signed-in Administrator's tenant, or (operators) the
// platform-wide subscriptions; the same verbs over the two path families of the admin API.
import { api, ok } from '../../api/client.js';
import type { components } from '../../api/schema.js';

export type Webhook = components['schemas']['Webhook'];
export type NewWebhook = components['schemas']['NewWebhook'];
export type Delivery = components['schemas']['WebhookDelivery'];

export interface WebhookApi {
  list(): Promise<Webhook[]>;
  create(body: { url: string; event_types: string[] }): Promise<NewWebhook>;
  patch(id: string, body: { enabled?: boolean; url?: string; event_types?: string[] }): Promise<Webhook>;
  remove(id: string): Promise<void>;
  rotate(id: string): Promise<NewWebhook>;
  deliveries(id: string): Promise<Delivery[]>;
  redeliver(id: string, deliveryId: string): Promise<void>;
}

export function tenantWebhooks(tenantId: string): WebhookApi {
  const base = { tenantId };
  return {
    list: async () =>
      ok(await api.GET('/admin/v1/tenants/{tenantId}/webhooks', { params: { path: base } })).items,
    create: async (body) =>
      ok(await api.POST('/admin/v1/tenants/{tenantId}/webhooks', { params: { path: base }, body })),
    patch: async (webhookId, body) =>
      ok(
        await api.PATCH('/admin/v1/tenants/{tenantId}/webhooks/{webhookId}', {
          params: { path: { ...base, webhookId } },
          body,
        }),
      ),
    remove: async (webhookId) => {
      ok(
        await api.DELETE('/admin/v1/tenants/{tenantId}/webhooks/{webhookId}', {
          params: { path: { ...base, webhookId } },
        }),
      );
    },
    rotate: async (webhookId) =>
      ok(
        await api.POST('/admin/v1/tenants/{tenantId}/webhooks/{webhookId}/rotate-secret', {
          params: { path: { ...base, webhookId } },
          body: {},
        }),
      ),
    deliveries: async (webhookId) =>
      ok(
        await api.GET('/admin/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries', {
          params: { path: { ...base, webhookId }, query: { limit: 50 } },
        }),
      ).items,
    redeliver: async (webhookId, deliveryId) => {
      ok(
        await api.POST(
          '/admin/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
          {
            params: { path: { ...base, webhookId, deliveryId } },
          },
        ),
      );
    },
  };
}

export function platformWebhooks(): WebhookApi {
  return {
    list: async () => ok(await api.GET('/admin/v1/webhooks', {})).items,
    create: async (body) => ok(await api.POST('/admin/v1/webhooks', { body })),
    patch: async (webhookId, body) =>
      ok(await api.PATCH('/admin/v1/webhooks/{webhookId}', { params: { path: { webhookId } }, body })),
    remove: async (webhookId) => {
      ok(await api.DELETE('/admin/v1/webhooks/{webhookId}', { params: { path: { webhookId } } }));
    },
    rotate: async (webhookId) =>
      ok(
        await api.POST('/admin/v1/webhooks/{webhookId}/rotate-secret', {
          params: { path: { webhookId } },
          body: {},
        }),
      ),
    deliveries: async (webhookId) =>
      ok(
        await api.GET('/admin/v1/webhooks/{webhookId}/deliveries', {
          params: { path: { webhookId }, query: { limit: 50 } },
        }),
      ).items,
    redeliver: async (webhookId, deliveryId) => {
      ok(
        await api.POST('/admin/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', {
          params: { path: { webhookId, deliveryId } },
        }),
      );
    },
  };
}
