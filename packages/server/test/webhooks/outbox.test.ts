// The outbox is written in the transaction of the change it reports (docs/webhooks.md "The outbox"),
// on SQLite and PostgreSQL: `Audit.within` commits the change, its audit event and its deliveries
// together or not at all; a repository's own transaction inside a unit is a savepoint (its failure,
// caught, leaves the rest of the unit to commit); a timer started inside a unit works after it ended.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Audit, createAudit } from '../../src/observability/audit.js';
import type { Storage } from '../../src/storage/contract/index.js';
import { openStorage } from '../../src/storage/open.js';
import { pgUnavailable, type TestDatabase, tempPostgres, tempSqlite } from '../support/storage-db.js';
import * as f from '../support/storage-factories.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`webhooks/outbox.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

const dialects = [
  { name: 'sqlite', make: async () => tempSqlite(), skip: false },
  { name: 'postgres', make: tempPostgres, skip: pgMissing !== undefined },
];

describe.each(dialects)('the outbox on $name', ({ make, skip }) => {
  let db: TestDatabase;
  let storage: Storage;
  let audit: Audit;
  const subscriptionId = `wh_${crypto.randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    if (skip) return;
    db = await make();
    storage = await openStorage(db.url);
    await storage.migrate();
    await storage.areas.upsert(f.area());
    // A long batch interval: only `within` can have stored what these tests read back.
    audit = createAudit({ store: storage.auditEvents, atomically: storage.atomically, flushMs: 60_000 });
    await storage.webhooks.createSubscription({
      id: subscriptionId,
      tenantId: null,
      url: 'https://receiver.example/hook',
      eventTypes: ['tenant.created'],
      enabled: true,
      sealedSecret: Buffer.from('sealed'),
      sealedPrevious: null,
      previousUntil: null,
      failingSince: null,
      disabledReason: null,
      createdAt: f.T0,
      updatedAt: f.T0,
    });
  });
  afterAll(async () => {
    if (skip) return;
    await storage.close();
    await db.drop();
  });

  const created = (t: { id: string }) => ({
    type: 'tenant.created' as const,
    actor: 'cli',
    subject: `tenant:${t.id}` as const,
    tenantId: t.id,
  });
  const deliveriesOf = async (tenantId: string) =>
    (await storage.webhooks.listDeliveries(subscriptionId, 200)).filter((d) => d.tenantId === tenantId);

  it.skipIf(skip)('commits the change, its event and its delivery together, with no flush', async () => {
    const t = f.tenant();
    await audit.within(
      () => storage.tenants.create(t),
      () => created(t),
    );
    expect(await storage.tenants.get(t.id)).toMatchObject({ id: t.id });
    const [event] = await storage.auditEvents.list({ tenantId: t.id });
    expect(event).toMatchObject({ type: 'tenant.created', subject: `tenant:${t.id}` });
    const [delivery] = await deliveriesOf(t.id);
    expect(delivery).toMatchObject({ eventId: event?.id, state: 'pending', eventType: 'tenant.created' });
  });

  it.skipIf(skip)('rolls all of it back when the change fails after writing', async () => {
    const t = f.tenant();
    await expect(
      audit.within(
        async () => {
          await storage.tenants.create(t);
          throw new Error('the change failed half-way');
        },
        () => created(t),
      ),
    ).rejects.toThrow('half-way');
    expect(await storage.tenants.get(t.id)).toBeUndefined();
    expect(await storage.auditEvents.list({ tenantId: t.id })).toEqual([]);
    expect(await deliveriesOf(t.id)).toEqual([]);
  });

  it.skipIf(skip)('rolls the change back when its event cannot be stored', async () => {
    const t = f.tenant();
    const [taken] = await storage.auditEvents.list({ type: 'tenant.created', limit: 1 });
    if (!taken) throw new Error('no event to collide with');
    await expect(
      storage.atomically(async () => {
        await storage.tenants.create(t);
        // The same id again: its insert fails, and with it the whole unit.
        await storage.auditEvents.append([{ ...taken, tenantId: t.id }]);
      }),
    ).rejects.toThrow();
    expect(await storage.tenants.get(t.id)).toBeUndefined();
  });

  it.skipIf(skip)(
    "keeps the rest of a unit when a repository's own transaction fails inside it",
    async () => {
      const [a, b] = [f.tenant(), f.tenant()];
      const [taken] = await storage.auditEvents.list({ type: 'tenant.created', limit: 1 });
      if (!taken) throw new Error('no event to collide with');
      await storage.atomically(async () => {
        await storage.tenants.create(a);
        // A failed statement would abort a PostgreSQL transaction; inside a savepoint it does not.
        await expect(storage.auditEvents.append([taken])).rejects.toThrow();
        await storage.tenants.create(b);
      });
      expect(await storage.tenants.get(a.id)).toMatchObject({ id: a.id });
      expect(await storage.tenants.get(b.id)).toMatchObject({ id: b.id });
    },
  );

  it.skipIf(skip)('lets work started inside a unit run on the pool once the unit has ended', async () => {
    const t = f.tenant();
    let later: Promise<unknown> | undefined;
    await storage.atomically(async () => {
      await storage.tenants.create(t);
      later = new Promise((resolve, reject) =>
        setTimeout(() => storage.tenants.get(t.id).then(resolve, reject), 20),
      );
    });
    await expect(later).resolves.toMatchObject({ id: t.id });
  });
});
