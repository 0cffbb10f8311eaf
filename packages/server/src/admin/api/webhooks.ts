// /tenants/{tenantId}/webhooks (an Administrator's or an operator's) and /webhooks (platform-wide,
// operators only): subscriptions, their one-time secrets, the delivery log and redelivery
// (docs/webhooks.md). A subscription is reached only under the tenant that owns it.
import { type Static, Type } from '@sinclair/typebox';
import type { WebhookAdmin } from '../../webhooks/subscriptions.js';
import { deliveryView, webhookView } from '../../webhooks/views.js';
import { confine, type Principal } from './principal.js';
import { notFound, Problem } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import { requireAdmin, requireOperator } from './tenants.js';
import * as W from './webhook-schemas.js';

const Param = () => Type.String({ minLength: 1, maxLength: 160 });

/** The routes of one base: a tenant's (`/tenants/:tenantId/webhooks`) or the platform's (`/webhooks`). */
function routesAt(
  router: Router<RouteContext>,
  webhooks: WebhookAdmin,
  base: string,
  scopeOf: (p: Principal, params: Record<string, string>) => Promise<string | null>,
): void {
  const tenantParam: Record<string, ReturnType<typeof Param>> = base.startsWith('/tenants')
    ? { tenantId: Param() }
    : {};
  const params = (extra: Record<string, ReturnType<typeof Param>> = {}) =>
    Type.Object({ ...tenantParam, ...extra }, { additionalProperties: false });
  const scope = base.startsWith('/tenants') ? 'tenant' : 'platform-wide';
  /** The subscription, when it is this scope's; another tenant's is a 404 like a missing one. */
  const found = async (p: Principal, raw: unknown) => {
    const ps = raw as Record<string, string>;
    const tenantId = await scopeOf(p, ps);
    const s = await webhooks.get(ps['webhookId'] as string);
    if (!s || s.tenantId !== tenantId) throw notFound('no such webhook');
    return s;
  };
  const acting = (ctx: RouteContext) => ({ actor: `user:${ctx.principal.user.id}`, address: ctx.request.ip });
  router.route({
    method: 'GET',
    url: base,
    summary: `List the ${scope} webhook subscriptions`,
    tag: 'webhooks',
    params: params(),
    response: { 200: Type.Object({ items: Type.Array(W.Webhook) }) },
    async handler({ request, principal }) {
      const tenantId = await scopeOf(principal, request.params as Record<string, string>);
      return { items: (await webhooks.list(tenantId)).map(webhookView) };
    },
  });
  router.route({
    method: 'POST',
    url: base,
    summary: `Subscribe to ${scope} events; the signing secret (whsec_…) is shown once`,
    tag: 'webhooks',
    params: params(),
    body: W.CreateWebhook,
    response: { 201: W.NewWebhook },
    async handler(ctx) {
      const tenantId = await scopeOf(ctx.principal, ctx.request.params as Record<string, string>);
      const b = ctx.request.body as Static<typeof W.CreateWebhook>;
      const { subscription, secret } = await webhooks.create(
        tenantId,
        { url: b.url, eventTypes: b.event_types, ...(b.enabled !== undefined ? { enabled: b.enabled } : {}) },
        acting(ctx),
      );
      ctx.reply.code(201);
      return { ...webhookView(subscription), secret };
    },
  });
  router.route({
    method: 'GET',
    url: `${base}/:webhookId`,
    summary: 'Show a webhook subscription (never its secret)',
    tag: 'webhooks',
    params: params({ webhookId: Param() }),
    response: { 200: W.Webhook },
    async handler({ request, principal }) {
      return webhookView(await found(principal, request.params));
    },
  });
  router.route({
    method: 'PATCH',
    url: `${base}/:webhookId`,
    summary: "Change a subscription's URL, event types or whether it is enabled",
    tag: 'webhooks',
    params: params({ webhookId: Param() }),
    body: W.PatchWebhook,
    response: { 200: W.Webhook },
    async handler(ctx) {
      const s = await found(ctx.principal, ctx.request.params);
      const b = ctx.request.body as Static<typeof W.PatchWebhook>;
      const updated = await webhooks.update(
        s,
        {
          ...(b.url !== undefined ? { url: b.url } : {}),
          ...(b.event_types !== undefined ? { eventTypes: b.event_types } : {}),
          ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        },
        acting(ctx),
      );
      return webhookView(updated);
    },
  });
  router.route({
    method: 'DELETE',
    url: `${base}/:webhookId`,
    summary: 'Delete a subscription with its delivery log',
    tag: 'webhooks',
    params: params({ webhookId: Param() }),
    response: { 204: null },
    async handler(ctx) {
      await webhooks.remove(await found(ctx.principal, ctx.request.params), acting(ctx));
      ctx.reply.code(204);
      return ctx.reply.send();
    },
  });
  router.route({
    method: 'POST',
    url: `${base}/:webhookId/rotate-secret`,
    summary: 'A new signing secret (shown once); the current one keeps signing beside it for the overlap',
    tag: 'webhooks',
    params: params({ webhookId: Param() }),
    body: W.RotateWebhookSecret,
    response: { 200: W.NewWebhook },
    async handler(ctx) {
      const s = await found(ctx.principal, ctx.request.params);
      const b = (ctx.request.body ?? {}) as Static<typeof W.RotateWebhookSecret>;
      const overlapMs = b.overlap_seconds === undefined ? undefined : b.overlap_seconds * 1000;
      const { subscription, secret } = await webhooks.rotate(s, acting(ctx), overlapMs);
      return { ...webhookView(subscription), secret };
    },
  });
  router.route({
    method: 'GET',
    url: `${base}/:webhookId/deliveries`,
    summary: "A subscription's deliveries, newest first (state, attempts, last status)",
    tag: 'webhooks',
    params: params({ webhookId: Param() }),
    querystring: W.DeliveryQuery,
    response: { 200: Type.Object({ items: Type.Array(W.WebhookDelivery) }) },
    async handler({ request, principal }) {
      const s = await found(principal, request.params);
      const { limit } = request.query as { limit?: number };
      return { items: (await webhooks.deliveries(s, limit)).map((d) => deliveryView(d)) };
    },
  });
  router.route({
    method: 'GET',
    url: `${base}/:webhookId/deliveries/:deliveryId`,
    summary: 'One delivery with its body and each attempt (time, status, latency)',
    tag: 'webhooks',
    params: params({ webhookId: Param(), deliveryId: Param() }),
    response: { 200: W.WebhookDelivery },
    async handler({ request, principal }) {
      const s = await found(principal, request.params);
      const one = await webhooks.delivery(s, (request.params as { deliveryId: string }).deliveryId);
      if (!one) throw notFound('no such delivery');
      return deliveryView(one.delivery, one.attempts);
    },
  });
  router.route({
    method: 'POST',
    url: `${base}/:webhookId/deliveries/:deliveryId/redeliver`,
    summary: 'Send a delivery again now, with the same webhook-id',
    tag: 'webhooks',
    params: params({ webhookId: Param(), deliveryId: Param() }),
    response: { 202: null },
    async handler(ctx) {
      const s = await found(ctx.principal, ctx.request.params);
      if (!s.enabled) throw new Problem(409, 'Conflict', 'the subscription is disabled: enable it first');
      const ok = await webhooks.redeliver(s, (ctx.request.params as { deliveryId: string }).deliveryId);
      if (!ok) throw notFound('no such delivery');
      ctx.reply.code(202);
      return ctx.reply.send();
    },
  });
}

export function webhookRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { webhooks, admin } = deps;
  if (!webhooks) return;
  routesAt(router, webhooks, '/tenants/:tenantId/webhooks', async (p, params) => {
    const tenantId = params['tenantId'] as string;
    requireAdmin(p);
    confine(p, { tenantId });
    // An operator naming a tenant that does not exist gets a 404 (AdminError not_found).
    await admin.showTenant(tenantId);
    return tenantId;
  });
  routesAt(router, webhooks, '/webhooks', async (p) => {
    requireOperator(p);
    return null;
  });
}
