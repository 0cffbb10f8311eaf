// Webhook delivery (docs/webhooks.md) over a real database and a real receiver: the outbox is written
// with the audit batch, each delivery is signed per Standard Webhooks and verified with the
// `standardwebhooks` library as a receiver would, failures are retried with backoff for 24 hours on an
// injected clock, a subscription failing for 5 days is switched off, and stopping loses nothing.
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_DEFAULTS, type WebhookConfig } from '../../src/config/webhooks.js';
import { type Audit, createAudit } from '../../src/observability/audit.js';
import type { Storage } from '../../src/storage/contract/index.js';
import { openStorage } from '../../src/storage/open.js';
import { DISABLE_AFTER_MS, RETRY_WINDOW_MS, retryDelay } from '../../src/webhooks/backoff.js';
import { createWebhookAdmin } from '../../src/webhooks/subscriptions.js';
import { createWebhookWorker, type DeliveryOutcome } from '../../src/webhooks/worker.js';
import { TestClock } from '../support/service.js';
import { type TestDatabase, tempSqlite } from '../support/storage-db.js';
import { until } from '../support/wait.js';
import { Receiver, verify } from '../support/webhook-receiver.js';

const CONFIG: WebhookConfig = { ...WEBHOOK_DEFAULTS, allowPrivate: true, timeoutMs: 2000, leaseMs: 30_000 };
const CLI = { actor: 'cli' };
/** The events these tests record (a `*` subscription would also hear its own `webhook.*` events). */
const TYPES = ['user.created', 'access_key.changed', 'session.ended'];

describe('webhook delivery', () => {
  let db: TestDatabase;
  let storage: Storage;
  let clock: TestClock;
  let audit: Audit;
  let receiver: Receiver;
  const kek = crypto.randomBytes(32);
  const outcomes: DeliveryOutcome[] = [];

  const admin = () => createWebhookAdmin({ storage, kek, clock: clock.now, audit, allowPrivate: true });
  const worker = (config: Partial<WebhookConfig> = {}) =>
    createWebhookWorker({
      storage,
      kek,
      config: { ...CONFIG, ...config },
      clock: clock.now,
      audit,
      random: () => 0.5,
      onAttempt: (o) => outcomes.push(o),
    });
  /** Records events for a tenant and stores the batch (the outbox with it). */
  const events = async (
    tenantId: string,
    ...types: ('user.created' | 'access_key.changed' | 'session.ended')[]
  ) => {
    for (const type of types)
      audit.record({ type, tenantId, subject: `user:${crypto.randomUUID()}`, actor: 'cli' });
    await audit.flush();
  };

  beforeEach(async () => {
    db = tempSqlite();
    storage = await openStorage(db.url);
    await storage.migrate();
    clock = new TestClock();
    audit = createAudit({ store: storage.auditEvents, clock: clock.now });
    receiver = await Receiver.start();
    outcomes.length = 0;
  });
  afterEach(async () => {
    await receiver.close();
    await storage.close();
    await db.drop();
  });

  it("delivers each of its tenant's subscribed events, signed as Standard Webhooks, and no other tenant's", async () => {
    const { subscription, secret } = await admin().create(
      'tenant-a',
      { url: receiver.url, eventTypes: ['user.created', 'session.ended'] },
      CLI,
    );
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    await events('tenant-a', 'user.created', 'access_key.changed', 'session.ended');
    await events('tenant-b', 'user.created');
    expect(await worker().runOnce()).toBe(2);

    const got = receiver.verified(secret);
    expect(got.map((g) => g.payload['type']).sort()).toEqual(['session.ended', 'user.created']);
    for (const { id, payload } of got) {
      expect(id).toMatch(/^msg_/);
      expect(payload).toMatchObject({ data: { tenantId: 'tenant-a', actor: 'cli' } });
      expect(String((payload['data'] as { subject: string }).subject)).toMatch(/^user:/);
      expect(Date.parse(String(payload['timestamp']))).toBe(clock.now().getTime());
    }
    // Another secret, or one changed byte of the body, does not verify.
    const first = receiver.received[0];
    if (!first) throw new Error('nothing received');
    const other = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    expect(() => verify(other, first)).toThrow();
    expect(() => verify(secret, { ...first, body: first.body.replace('tenant-a', 'tenant-b') })).toThrow();
    // A replay outside the library's tolerance (5 minutes) is refused by it.
    expect(() =>
      new Webhook(secret).verify(first.body, { ...first.headers, 'webhook-timestamp': '1000' }),
    ).toThrow();

    const log = await storage.webhooks.listDeliveries(subscription.id, 10);
    expect(log.map((d) => d.state)).toEqual(['delivered', 'delivered']);
    const attempts = await storage.webhooks.listAttempts(log[0]?.id as string);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, status: 204, error: null });
    expect(outcomes).toEqual(['delivered', 'delivered']);
    // Nothing is due any more.
    expect(await worker().runOnce()).toBe(0);

    // The purge removes finished deliveries older than the audit retention, with their attempts; a
    // pending one stays whatever its age.
    await events('tenant-a', 'user.created');
    const later = new Date(clock.now().getTime() + 1);
    expect(await storage.webhooks.purge(later, 100)).toBe(2);
    expect((await storage.webhooks.listDeliveries(subscription.id, 10)).map((d) => d.state)).toEqual([
      'pending',
    ]);
    expect(await storage.webhooks.listAttempts(log[0]?.id as string)).toEqual([]);
  });

  it('keeps the secret sealed at rest, and a platform-wide subscription hears every tenant', async () => {
    const { subscription, secret } = await admin().create(
      null,
      { url: receiver.url, eventTypes: ['*'] },
      CLI,
    );
    const stored = await storage.webhooks.getSubscription(subscription.id);
    expect(stored?.sealedSecret.toString('utf8')).not.toContain(secret.slice(6, 20));
    expect(stored?.sealedSecret.toString('base64')).not.toContain(secret.slice(6, 20));
    await events('tenant-a', 'user.created');
    await events('tenant-b', 'session.ended');
    await worker().runOnce();
    // Its own creation is an audit event too (tenantless, by the CLI): `*` is every type.
    expect(
      receiver
        .verified(secret)
        .map((g) => g.payload['type'])
        .sort(),
    ).toEqual(['session.ended', 'user.created', 'webhook.created']);
  });

  it('retries a failing receiver with backoff, and it gets everything once it recovers', async () => {
    const { subscription, secret } = await admin().create('t', { url: receiver.url, eventTypes: TYPES }, CLI);
    receiver.fallback = 503;
    await events('t', 'user.created', 'session.ended');
    const w = worker();
    expect(await w.runOnce()).toBe(2);
    expect(await w.runOnce()).toBe(0); // not due yet: the first retry waits retryDelay(1)
    let pending = await storage.webhooks.listDeliveries(subscription.id, 10);
    expect(pending.map((d) => d.state)).toEqual(['pending', 'pending']);
    expect(pending[0]?.nextAttemptAt.getTime()).toBe(clock.now().getTime() + retryDelay(1, () => 0.5));
    expect((await storage.webhooks.getSubscription(subscription.id))?.failingSince).toEqual(clock.now());

    // Two more failed rounds, each after its (growing) delay, then the receiver is back.
    for (const n of [1, 2]) {
      clock.advance(retryDelay(n, () => 0.5) / 1000);
      expect(await w.runOnce()).toBe(2);
    }
    receiver.fallback = 200;
    clock.advance(retryDelay(3, () => 0.5) / 1000);
    expect(await w.runOnce()).toBe(2);

    pending = await storage.webhooks.listDeliveries(subscription.id, 10);
    expect(pending.map((d) => [d.state, d.attempts])).toEqual([
      ['delivered', 4],
      ['delivered', 4],
    ]);
    // Every attempt of one event carried the same webhook-id, and each one verifies.
    const byId = new Map<string, number>();
    for (const { id } of receiver.verified(secret)) byId.set(id, (byId.get(id) ?? 0) + 1);
    expect([...byId.values()]).toEqual([4, 4]);
    const log = await storage.webhooks.listAttempts(pending[0]?.id as string);
    expect(log.map((a) => a.status)).toEqual([503, 503, 503, 200]);
    expect(log.every((a) => a.latencyMs >= 0)).toBe(true);
    expect((await storage.webhooks.getSubscription(subscription.id))?.failingSince).toBeNull();
    expect(outcomes.filter((o) => o === 'retry')).toHaveLength(6);
  });

  it('gives a delivery up after 24 hours, and switches off a subscription failing for 5 days', async () => {
    const { subscription } = await admin().create(
      't',
      { url: receiver.url, eventTypes: ['user.created'] },
      CLI,
    );
    receiver.fallback = 500;
    await events('t', 'user.created');
    const started = clock.now().getTime();
    const w = worker();
    let rounds = 0;
    for (;;) {
      await w.runOnce();
      const [d] = await storage.webhooks.listDeliveries(subscription.id, 1);
      if (d?.state !== 'pending') break;
      clock.current = d.nextAttemptAt;
      rounds += 1;
      expect(rounds).toBeLessThan(40);
    }
    const [given] = await storage.webhooks.listDeliveries(subscription.id, 1);
    expect(given?.state).toBe('failed');
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(clock.now().getTime() - started).toBeLessThan(RETRY_WINDOW_MS + 2 * 3600_000 + 1);
    expect(outcomes.at(-1)).toBe('failed');
    expect((await storage.webhooks.getSubscription(subscription.id))?.enabled).toBe(true);

    // Still failing 5 days after the first failure: the next failed attempt switches it off.
    clock.current = new Date(started + DISABLE_AFTER_MS);
    await events('t', 'user.created');
    await w.runOnce();
    const off = await storage.webhooks.getSubscription(subscription.id);
    expect(off).toMatchObject({ enabled: false, disabledReason: 'every delivery failed for 5 days' });
    await audit.flush();
    const [disabled] = await storage.auditEvents.list({ type: 'webhook.disabled' });
    expect(disabled).toMatchObject({
      subject: `webhook:${subscription.id}`,
      tenantId: 't',
      actor: 'service',
    });
    // A disabled subscription gets no new deliveries.
    await events('t', 'user.created');
    expect(await storage.webhooks.listDeliveries(subscription.id, 10)).toHaveLength(2);
  });

  it('takes 410 Gone as the receiver unsubscribing: switched off at once, with its event, no retry', async () => {
    const { subscription } = await admin().create(
      't',
      { url: receiver.url, eventTypes: ['user.created'] },
      CLI,
    );
    receiver.answers.push(410);
    await events('t', 'user.created', 'user.created');
    const w = worker({ concurrency: 1 });
    await w.runOnce();
    const off = await storage.webhooks.getSubscription(subscription.id);
    expect(off).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
    // Stored with the change, no flush needed.
    const [disabled] = await storage.auditEvents.list({ type: 'webhook.disabled' });
    expect(disabled).toMatchObject({
      subject: `webhook:${subscription.id}`,
      tenantId: 't',
      actor: 'service',
      details: { reason: 'the receiver answered 410 Gone' },
    });
    // The answered delivery is given up, and so is the other one, without reaching the receiver.
    clock.current = new Date(clock.now().getTime() + 3600_000);
    await w.runOnce();
    const log = await storage.webhooks.listDeliveries(subscription.id, 10);
    expect(log.map((d) => d.state)).toEqual(['failed', 'failed']);
    expect(receiver.received).toHaveLength(1);
    expect(outcomes).toEqual(['failed', 'failed']);
    // Nothing new reaches it until an administrator switches it on again.
    await events('t', 'user.created');
    expect(await storage.webhooks.listDeliveries(subscription.id, 10)).toHaveLength(2);
  });

  it('loses nothing when a node stops mid-delivery or dies holding a lease', async () => {
    const { secret } = await admin().create('t', { url: receiver.url, eventTypes: TYPES }, CLI);
    await events('t', 'user.created', 'session.ended');
    // A node whose receiver hangs is stopped: its attempts are cut short, not counted, given back.
    receiver.answers.push('hang', 'hang');
    const first = worker();
    const running = first.runOnce();
    await until(() => receiver.received.length === 2);
    await first.stop();
    await running;
    const all = await storage.webhooks.claim(clock.now(), 1000, 10, 'probe');
    expect(all.map((d) => d.attempts)).toEqual([0, 0]);
    // 'probe' dies holding them: after its lease another node takes them over.
    const second = worker();
    expect(await second.runOnce()).toBe(0);
    clock.advance(2);
    expect(await second.runOnce()).toBe(2);
    const delivered = receiver.verified(secret).slice(2);
    expect(delivered.map((d) => d.payload['type']).sort()).toEqual(['session.ended', 'user.created']);
    // The retried requests carry the same webhook-ids as the cut ones (a receiver deduplicates on them).
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it('signs with both secrets while a rotation overlaps, then with the new one only', async () => {
    const hooks = admin();
    const { subscription, secret: before } = await hooks.create(
      't',
      { url: receiver.url, eventTypes: TYPES },
      CLI,
    );
    const { secret: after } = await hooks.rotate(subscription, CLI, 3600_000);
    expect(after).not.toBe(before);
    await events('t', 'user.created');
    await worker().runOnce();
    const during = receiver.received[0];
    if (!during) throw new Error('nothing received');
    expect(during.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => verify(before, during)).not.toThrow();
    expect(() => verify(after, during)).not.toThrow();
    clock.advance(3601);
    await events('t', 'user.created');
    await worker().runOnce();
    const later = receiver.received[1];
    if (!later) throw new Error('nothing received');
    expect(() => verify(after, later)).not.toThrow();
    expect(() => verify(before, later)).toThrow();
  });

  it('checks the target at each delivery: a host that now resolves to a private address is refused', async () => {
    // Subscribed while private targets were allowed; the node delivering does not allow them.
    const { subscription } = await admin().create('t', { url: receiver.url, eventTypes: TYPES }, CLI);
    await events('t', 'user.created');
    await worker({ allowPrivate: false }).runOnce();
    expect(receiver.received).toHaveLength(0);
    const [d] = await storage.webhooks.listDeliveries(subscription.id, 1);
    const [a] = await storage.webhooks.listAttempts(d?.id as string);
    expect(a).toMatchObject({ status: null });
    expect(a?.error).toMatch(/private, loopback/);
  });
});
