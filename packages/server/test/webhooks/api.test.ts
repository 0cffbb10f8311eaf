// The webhooks of the admin API (docs/webhooks.md) on a running service: a subscription's secret is
// shown once, a tenant's subscriptions are out of another tenant's reach and platform-wide ones are
// operators', events made through the API arrive signed, the delivery log shows each attempt and a
// redelivery carries the same webhook-id, the metrics count them, a hanging receiver does not slow the
// token endpoint, and a node stopped mid-delivery loses nothing.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_DEFAULTS } from '../../src/config/webhooks.js';
import { createServiceMetrics } from '../../src/observability/metrics.js';
import { createServer } from '../../src/server.js';
import { openStorage } from '../../src/storage/open.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { basic, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { until as waitUntil } from '../support/wait.js';
import { Receiver } from '../support/webhook-receiver.js';

const until = (check: () => boolean | Promise<boolean>, ms = 8000) => waitUntil(check, ms, 20);

const FAST = { webhooks: { ...WEBHOOK_DEFAULTS, allowPrivate: true, pollMs: 50, timeoutMs: 3000 } };

describe('webhooks in the admin API', () => {
  let svc: TestService;
  let receiver: Receiver;
  let operator: Actor;
  let adminA: Actor;
  let adminB: Actor;
  let plain: Actor;
  const metrics = createServiceMetrics();
  beforeAll(async () => {
    receiver = await Receiver.start();
    svc = await startTestService({ application: ADMIN_APP, config: FAST, now: () => new Date(), metrics });
    const other = await svc.addTenant();
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    adminA = await actor(svc, svc.fixture.tenant);
    adminB = await actor(svc, other);
    plain = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });
  const base = () => `/tenants/${svc.fixture.tenant.id}/webhooks`;

  it('shows the secret once, keeps a tenant’s subscriptions to it, and platform-wide ones to operators', async () => {
    const created = await call(svc, adminA, 'POST', base(), {
      url: receiver.url,
      event_types: ['user.created'],
    });
    expect(created.statusCode).toBe(201);
    const hook = created.json() as { id: string; secret: string; tenantId: string; enabled: boolean };
    expect(hook).toMatchObject({ tenantId: svc.fixture.tenant.id, enabled: true });
    expect(hook.secret).toMatch(/^whsec_/);
    const shown = await call(svc, adminA, 'GET', `${base()}/${hook.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toContain(hook.secret);
    expect(shown.json()).not.toHaveProperty('secret');

    // Tenant B's Administrator: A's tenant is out of reach, and so is A's subscription under B's path.
    const otherTenant = `/tenants/${adminB.user.tenantId}/webhooks`;
    expect((await call(svc, adminB, 'GET', base())).statusCode).toBe(404);
    expect((await call(svc, adminB, 'GET', `${otherTenant}/${hook.id}`)).statusCode).toBe(404);
    expect(
      (await call(svc, adminB, 'PATCH', `${otherTenant}/${hook.id}`, { enabled: false })).statusCode,
    ).toBe(404);
    expect((await call(svc, adminB, 'DELETE', `${otherTenant}/${hook.id}`)).statusCode).toBe(404);
    expect((await call(svc, adminB, 'POST', `${otherTenant}/${hook.id}/rotate-secret`, {})).statusCode).toBe(
      404,
    );
    expect(((await call(svc, adminB, 'GET', otherTenant)).json() as { items: unknown[] }).items).toEqual([]);
    // A user without the Administrator role, and anyone without a token.
    expect((await call(svc, plain, 'GET', base())).statusCode).toBe(403);
    expect((await call(svc, undefined, 'GET', base())).statusCode).toBe(401);
    // Platform-wide: operators only; a tenant's subscription is not reachable there.
    expect((await call(svc, adminA, 'GET', '/webhooks')).statusCode).toBe(403);
    expect(
      (await call(svc, adminA, 'POST', '/webhooks', { url: receiver.url, event_types: ['*'] })).statusCode,
    ).toBe(403);
    expect((await call(svc, operator, 'GET', `/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await call(svc, operator, 'GET', base())).statusCode).toBe(200);

    // Malformed input is a 400 problem, never a 500.
    for (const body of [
      { url: receiver.url, event_types: ['no.such_event'] },
      { url: 'ftp://example.com/', event_types: ['*'] },
      { url: 'not a url', event_types: ['*'] },
      { url: receiver.url, event_types: [] },
      { url: receiver.url, event_types: ['*'], extra: 1 },
    ]) {
      const res = await call(svc, adminA, 'POST', base(), body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    // The audit trail names the target's origin, never its path (which may be a capability URL).
    let logged = '';
    await until(async () => {
      const trail = await call(svc, adminA, 'GET', '/audit-events?type=webhook.created');
      logged = JSON.stringify(trail.json());
      return logged.includes(hook.id);
    });
    expect(logged).toContain(new URL(receiver.url).origin);
    expect(logged).not.toContain(new URL(receiver.url).pathname);
    expect(logged).not.toContain(hook.secret);
    expect((await call(svc, adminA, 'DELETE', `${base()}/${hook.id}`)).statusCode).toBe(204);
  });

  it('delivers an event made through the API, logs each attempt, and redelivers with the same webhook-id', async () => {
    const created = await call(svc, adminA, 'POST', base(), {
      url: receiver.url,
      event_types: ['user.created'],
    });
    const hook = created.json() as { id: string; secret: string };
    const before = receiver.received.length;
    const user = await call(svc, adminA, 'POST', `/tenants/${svc.fixture.tenant.id}/users`, {
      email: 'hooked@example.com',
    });
    expect(user.statusCode).toBe(201);
    const userId = (user.json() as { id: string }).id;
    await until(() => receiver.received.length > before);
    const got = receiver.verified(hook.secret).slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]?.payload).toMatchObject({
      type: 'user.created',
      data: { tenantId: svc.fixture.tenant.id, subject: `user:${userId}`, actor: `user:${adminA.user.id}` },
    });

    // Recorded once answered: the receiver may see the request a moment before the node records it.
    type Item = { id: string; state: string; attempts: number };
    let delivery: Item | undefined;
    await until(async () => {
      const log = await call(svc, adminA, 'GET', `${base()}/${hook.id}/deliveries`);
      expect(log.statusCode).toBe(200);
      [delivery] = (log.json() as { items: Item[] }).items;
      return delivery?.state !== 'pending';
    });
    expect(delivery).toMatchObject({ id: got[0]?.id, state: 'delivered', attempts: 1 });
    const one = await call(svc, adminA, 'GET', `${base()}/${hook.id}/deliveries/${delivery?.id}`);
    expect(one.json()).toMatchObject({ attempt_log: [{ attempt: 1, status: 204, error: null }] });
    expect(typeof (one.json() as { attempt_log: { latency_ms: number }[] }).attempt_log[0]?.latency_ms).toBe(
      'number',
    );
    // B cannot read or redeliver it through its own tenant.
    const otherPath = `/tenants/${adminB.user.tenantId}/webhooks/${hook.id}/deliveries/${delivery?.id}`;
    expect((await call(svc, adminB, 'GET', otherPath)).statusCode).toBe(404);
    expect((await call(svc, adminB, 'POST', `${otherPath}/redeliver`)).statusCode).toBe(404);

    const again = await call(
      svc,
      adminA,
      'POST',
      `${base()}/${hook.id}/deliveries/${delivery?.id}/redeliver`,
    );
    expect(again.statusCode).toBe(202);
    await until(() => receiver.received.length > before + 1);
    expect(receiver.verified(hook.secret).at(-1)?.id).toBe(got[0]?.id);
    await until(async () => {
      const d = await call(svc, adminA, 'GET', `${base()}/${hook.id}/deliveries/${delivery?.id}`);
      return (d.json() as { attempts: number }).attempts === 2;
    });

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/cxauth_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(text).toMatch(/cxauth_webhook_queue_depth \d+/);
    expect(text).toMatch(/cxauth_webhook_oldest_age_seconds \d+/);
    expect((await call(svc, adminA, 'DELETE', `${base()}/${hook.id}`)).statusCode).toBe(204);
  });

  it('answers password grants at once while every delivery slot hangs on a receiver', async () => {
    const hanging = await Receiver.start();
    hanging.fallback = 'hang';
    try {
      const created = await call(svc, adminA, 'POST', base(), { url: hanging.url, event_types: ['*'] });
      const hook = created.json() as { id: string };
      // More events than the worker has slots: all of them hang.
      for (let i = 0; i < WEBHOOK_DEFAULTS.concurrency + 2; i++) {
        await call(svc, adminA, 'PATCH', `${base()}/${hook.id}`, { enabled: true });
      }
      await until(() => hanging.received.length >= WEBHOOK_DEFAULTS.concurrency);
      const auth = { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) };
      const started = performance.now();
      for (let i = 0; i < 5; i++) {
        const res = await tokenRequest(
          svc.app,
          {
            grant_type: 'password',
            username: svc.fixture.accessKeyId,
            password: svc.fixture.accessKeySecret,
          },
          auth,
        );
        expect(res.statusCode).toBe(200);
      }
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await call(svc, adminA, 'DELETE', `${base()}/${hook.id}`)).statusCode).toBe(204);
    } finally {
      await hanging.close();
    }
  });
});

describe('a node stopped in the middle of a delivery', () => {
  it('loses nothing: the next node delivers what it had not', async () => {
    const receiver = await Receiver.start();
    // The first node runs no worker: the nodes below are the ones that deliver.
    const svc = await startTestService({
      application: ADMIN_APP,
      config: FAST,
      now: () => new Date(),
      webhooks: false,
    });
    const nodes: { app: FastifyInstance; close(): Promise<void> }[] = [];
    const node = async () => {
      const storage = await openStorage(svc.config.databaseUrl, svc.config.databaseTimeouts);
      const app = await createServer({
        config: svc.config,
        storage,
        hasher: svc.hasher,
        keys: svc.keys,
        purge: false,
      });
      await app.ready();
      const n = {
        app,
        close: async () => {
          await app.close();
          await storage.close();
        },
      };
      nodes.push(n);
      return n;
    };
    try {
      const admin = await actor(svc, svc.fixture.tenant);
      const hook = (
        await call(svc, admin, 'POST', `/tenants/${svc.fixture.tenant.id}/webhooks`, {
          url: receiver.url,
          event_types: ['user.created'],
        })
      ).json() as { secret: string };
      receiver.answers.push('hang');
      const first = await node();
      for (const email of ['one@example.com', 'two@example.com']) {
        const res = await call(svc, admin, 'POST', `/tenants/${svc.fixture.tenant.id}/users`, {
          email,
        });
        expect(res.statusCode).toBe(201);
      }
      // Stored by the first node's audit batch; the first node takes them, one hangs: it is stopped.
      await until(() => receiver.received.length >= 1);
      await first.close();
      const second = await node();
      await until(() => receiver.eventIds().size === 2 && receiver.received.length >= 3);
      const got = receiver.verified(hook.secret);
      expect(new Set(got.map((g) => (g.payload['data'] as { subject: string }).subject)).size).toBe(2);
      await second.close();
    } finally {
      for (const n of nodes) await n.close().catch(() => undefined);
      await svc.close();
      await receiver.close();
    }
  });
});
