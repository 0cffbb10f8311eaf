// The people repository on both databases: the mail outbox claimed by one node at a time under a lease
// (a lapsed lease lets another node take it; a completion by the old holder is refused), mail bodies
// stored sealed, reset links spent once and never after expiry, and the purge of both.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import { openMail, sealMail } from '../src/mail/outbox.js';
import { createMailWorker } from '../src/mail/worker.js';
import type { OutboxMail } from '../src/storage/contract/index.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';
import * as make from './support/storage-factories.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('people storage (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  const message = { to: 'a@example.com', subject: 'S', text: 'secret link', html: '<p>secret link</p>' };
  const mail = (now: Date): OutboxMail => {
    const id = crypto.randomUUID();
    return {
      id,
      tenantId: svc.fixture.tenant.id,
      template: 'password_reset',
      sealed: sealMail(svc.kek, id, message),
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    };
  };

  it('leases each due mail to one node, and lets another take it once the lease lapsed', async () => {
    const repo = svc.storage.people;
    const now = svc.clock.now();
    const m = mail(now);
    await repo.enqueueMail(m);
    expect((await repo.getMail(m.id))?.sealed.toString('utf8')).not.toContain('secret link');
    const [first, second] = await Promise.all([
      repo.claimMail(now, 60_000, 10, 'node-a'),
      repo.claimMail(now, 60_000, 10, 'node-b'),
    ]);
    const claims = [...(first ?? []), ...(second ?? [])].filter((c) => c.id === m.id);
    expect(claims).toHaveLength(1);
    expect(openMail(svc.kek, m.id, claims[0]?.sealed as Buffer)).toEqual(message);
    expect(
      (await repo.claimMail(new Date(now.getTime() + 1000), 60_000, 10, 'node-c')).map((c) => c.id),
    ).not.toContain(m.id);
    const lapsed = new Date(now.getTime() + 61_000);
    const taken = await repo.claimMail(lapsed, 60_000, 10, 'node-c');
    expect(taken.map((c) => c.id)).toContain(m.id);
    const holder = first?.some((c) => c.id === m.id) ? 'node-a' : 'node-b';
    const done = { state: 'sent' as const, attempts: 1, nextAttemptAt: lapsed, error: null, at: lapsed };
    expect(await repo.completeMail(m.id, holder, done)).toBe(false);
    expect(await repo.completeMail(m.id, 'node-c', done)).toBe(true);
    expect((await repo.getMail(m.id))?.state).toBe('sent');
    expect(await repo.purgeMail(new Date(now.getTime() + 1), 100)).toBeGreaterThanOrEqual(1);
    expect(await repo.getMail(m.id)).toBeUndefined();
  });

  it('retries a failed send later with backoff and keeps the mail pending', async () => {
    const now = svc.clock.now();
    const m = mail(now);
    await svc.storage.people.enqueueMail(m);
    const worker = createMailWorker({
      storage: svc.storage,
      kek: svc.kek,
      config: { ...MAIL_DEFAULTS, retryBaseMs: 1000 },
      transport: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      clock: () => now,
      random: () => 0.5,
    });
    expect(await worker.runOnce()).toBeGreaterThanOrEqual(1);
    const after = await svc.storage.people.getMail(m.id);
    expect(after?.state).toBe('pending');
    expect(after?.attempts).toBe(1);
    expect(after?.lastError).toContain('ECONNREFUSED');
    expect(after?.nextAttemptAt.getTime()).toBe(now.getTime() + 1000);
    await worker.stop();
  });

  it('spends a reset link once, never after it expired, and purges expired links', async () => {
    const repo = svc.storage.people;
    const now = svc.clock.now();
    const hash = crypto.randomBytes(32);
    const expiresAt = new Date(now.getTime() + 3_600_000);
    await repo.createReset({
      tokenHash: hash,
      userId: svc.fixture.user.id,
      tenantId: svc.fixture.tenant.id,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    const spent = await Promise.all([repo.useReset(hash, now), repo.useReset(hash, now)]);
    expect(spent.filter(Boolean)).toHaveLength(1);
    const late = crypto.randomBytes(32);
    await repo.createReset({
      tokenHash: late,
      userId: svc.fixture.user.id,
      tenantId: svc.fixture.tenant.id,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    expect(await repo.useReset(late, expiresAt)).toBe(false);
    expect(await repo.purgeResets(new Date(expiresAt.getTime() + 1), 100)).toBeGreaterThanOrEqual(2);
    expect(await repo.getReset(late)).toBeUndefined();
  });

  it("spends every unused reset link of one user, and no other user's", async () => {
    const repo = svc.storage.people;
    const now = svc.clock.now();
    const other = await svc.addUser(svc.fixture.tenant);
    const reset = (userId: string) => {
      const tokenHash = crypto.randomBytes(32);
      const expiresAt = new Date(now.getTime() + 3_600_000);
      return { tokenHash, userId, tenantId: svc.fixture.tenant.id, createdAt: now, expiresAt, usedAt: null };
    };
    const mine = [reset(svc.fixture.user.id), reset(svc.fixture.user.id)];
    const theirs = reset(other.id);
    for (const r of [...mine, theirs]) await repo.createReset(r);
    expect(await repo.endResets(svc.fixture.user.id, now)).toBeGreaterThanOrEqual(2);
    for (const r of mine) expect(await repo.useReset(r.tokenHash, now)).toBe(false);
    expect(await repo.useReset(theirs.tokenHash, now)).toBe(true);
  });

  it('a new address from SCIM is unverified, and the links mailed to the old one are spent', async () => {
    const now = svc.clock.now();
    const tenantId = svc.fixture.tenant.id;
    const old = `scim-${crypto.randomUUID()}@example.com`;
    const person = make.user(tenantId, { email: old, emailVerified: true });
    const link = (userName: string) => ({
      userName,
      externalId: null,
      emails: [userName],
      attributes: {},
      createdAt: now,
      updatedAt: now,
    });
    await svc.storage.scim.createUser(person, link(old));
    const tokenHash = crypto.randomBytes(32);
    const expiresAt = new Date(now.getTime() + 3_600_000);
    await svc.storage.people.createReset({
      tokenHash,
      userId: person.id,
      tenantId,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    // The same address, only its case changed: still verified, the link still works.
    const same = old.toUpperCase();
    const names = { givenName: null, familyName: null };
    expect(
      await svc.storage.scim.updateUser(tenantId, person.id, { email: same, ...names }, link(same), now),
    ).toBe(true);
    expect((await svc.storage.users.get(person.id))?.emailVerified).toBe(true);
    const moved = `moved-${crypto.randomUUID()}@example.com`;
    expect(
      await svc.storage.scim.updateUser(tenantId, person.id, { email: moved, ...names }, link(moved), now),
    ).toBe(true);
    expect((await svc.storage.users.get(person.id))?.emailVerified).toBeFalsy();
    expect(await svc.storage.people.useReset(tokenHash, now)).toBe(false);
  });
});
