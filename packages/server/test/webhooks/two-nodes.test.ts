// Webhooks on two nodes sharing one PostgreSQL database: concurrent claims never hand one delivery to
// both (FOR UPDATE SKIP LOCKED), and events made on either node are each delivered by one of them.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_DEFAULTS } from '../../src/config/webhooks.js';
import { createAudit } from '../../src/observability/audit.js';
import type { Storage } from '../../src/storage/contract/index.js';
import { type Actor, ADMIN_APP, actor, call } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';
import { pgUnavailable } from '../support/storage-db.js';
import { until as waitUntil } from '../support/wait.js';
import { Receiver } from '../support/webhook-receiver.js';

const until = (check: () => boolean | Promise<boolean>, ms = 15_000) => waitUntil(check, ms, 20);

const pgReason = await pgUnavailable();
if (pgReason) console.log(`webhooks on two PostgreSQL nodes skipped: ${pgReason}`);

const FAST = { webhooks: { ...WEBHOOK_DEFAULTS, allowPrivate: true, pollMs: 50, timeoutMs: 3000 } };

describe.skipIf(pgReason !== undefined)('webhooks on two PostgreSQL nodes', () => {
  let svc: TestService;
  let b: { app: FastifyInstance; storage: Storage };
  let admin: Actor;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
    svc = await startTestService({
      dialect: 'postgres',
      application: ADMIN_APP,
      config: FAST,
      now: () => new Date(),
    });
    b = await svc.secondNode();
    admin = await actor(svc, svc.fixture.tenant);
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  it('never hands one delivery to two nodes claiming at once', async () => {
    const hook = (
      await call(svc, admin, 'POST', `/tenants/${svc.fixture.tenant.id}/webhooks`, {
        url: receiver.url,
        event_types: ['session.ended'],
        enabled: false,
      })
    ).json() as { id: string };
    // Stored as one batch with its outbox rows; the subscription is switched on for it only.
    await svc.storage.webhooks.updateSubscription(hook.id, { enabled: true, updatedAt: new Date() });
    const audit = createAudit({ store: svc.storage.auditEvents });
    for (let i = 0; i < 60; i++)
      audit.record({ type: 'session.ended', tenantId: 'elsewhere', subject: `s:${i}` });
    await audit.flush();
    await svc.storage.webhooks.updateSubscription(hook.id, { enabled: false, updatedAt: new Date() });
    // Tenant 'elsewhere' is not the subscription's: nothing was written. A platform-wide one hears it.
    expect(await svc.storage.webhooks.listDeliveries(hook.id, 100)).toHaveLength(0);
    const platform = (
      await call(svc, await actor(svc, svc.fixture.tenant, { operator: true }), 'POST', '/webhooks', {
        url: receiver.url,
        event_types: ['grant.refused'],
        enabled: false,
      })
    ).json() as { id: string };
    await svc.storage.webhooks.updateSubscription(platform.id, { enabled: true, updatedAt: new Date() });
    for (let i = 0; i < 60; i++)
      audit.record({ type: 'grant.refused', tenantId: 'elsewhere', subject: `g:${i}` });
    await audit.flush();
    await svc.storage.webhooks.updateSubscription(platform.id, { enabled: false, updatedAt: new Date() });
    // Claims far in the future (no worker's lease can match), from both nodes' pools at once.
    const later = new Date(Date.now() + 3600_000);
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? b.storage : svc.storage).webhooks.claim(later, 60_000, 10, `probe-${i}`),
      ),
    );
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = (await svc.storage.webhooks.listDeliveries(platform.id, 200)).filter(
      (d) => d.state === 'pending',
    );
    expect(all.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThanOrEqual(all.length);
    await svc.storage.webhooks.deleteSubscription(platform.id);
    await svc.storage.webhooks.deleteSubscription(hook.id);
  });

  it('delivers each event made on either node, every one by one node', async () => {
    const hook = (
      await call(svc, admin, 'POST', `/tenants/${svc.fixture.tenant.id}/webhooks`, {
        url: receiver.url,
        event_types: ['user.created'],
      })
    ).json() as { id: string; secret: string };
    const before = receiver.received.length;
    const n = 16;
    for (let i = 0; i < n; i++) {
      const app = i % 2 ? b.app : svc.app;
      const res = await app.inject({
        method: 'POST',
        url: `/admin/v1/tenants/${svc.fixture.tenant.id}/users`,
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ email: `two-nodes-${i}@example.com` }),
      });
      expect(res.statusCode).toBe(201);
    }
    await until(
      () => new Set(receiver.received.slice(before).map((r) => r.headers['webhook-id'])).size === n,
    );
    const got = receiver.verified(hook.secret).slice(before);
    expect(new Set(got.map((g) => (g.payload['data'] as { subject: string }).subject)).size).toBe(n);
    // Each webhook-id names one event: a duplicate (allowed, at least once) carries the same id.
    const eventOf = new Map<string, string>();
    for (const g of got) {
      const event = (g.payload['data'] as { id: string }).id;
      expect(eventOf.get(g.id) ?? event).toBe(event);
      eventOf.set(g.id, event);
    }
    // Recorded once answered (the receiver may see the request a moment before the node records it).
    let log = await svc.storage.webhooks.listDeliveries(hook.id, 100);
    for (let tries = 0; tries < 100 && log.some((d) => d.state !== 'delivered'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      log = await svc.storage.webhooks.listDeliveries(hook.id, 100);
    }
    expect(log).toHaveLength(n);
    expect(log.map((d) => [d.state, d.attempts])).toEqual(log.map(() => ['delivered', 1]));
  });
});
