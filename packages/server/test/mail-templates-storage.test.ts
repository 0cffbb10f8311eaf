// Tenants' mail templates and password policy on both databases: a template stored, replaced whole,
// listed per tenant and removed; the tenant's minimum length set and cleared; and a queued mail keeps
// what the template said when it was queued, whatever the template says later.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, openMail } from '../src/mail/outbox.js';
import { tenantMail } from '../src/mail/tenant-templates.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('tenant mail templates and policy (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  it("stores, replaces, lists and removes a tenant's template, apart from another tenant's", async () => {
    const repo = svc.storage.mailTemplates;
    const a = await svc.addTenant({ name: `a-${crypto.randomUUID().slice(0, 8)}` });
    const b = await svc.addTenant({ name: `b-${crypto.randomUUID().slice(0, 8)}` });
    const at = new Date(Math.floor(svc.clock.now().getTime()));
    await repo.put({
      tenantId: a.id,
      name: 'password_reset',
      subject: 'S1',
      text: null,
      html: null,
      updatedAt: at,
    });
    await repo.put({
      tenantId: a.id,
      name: 'password_reset',
      subject: 'S2',
      text: 'T {{link}}',
      html: null,
      updatedAt: at,
    });
    await repo.put({
      tenantId: a.id,
      name: 'invitation',
      subject: null,
      text: null,
      html: '<p>{{link}}</p>',
      updatedAt: at,
    });
    const stored = await repo.get(a.id, 'password_reset');
    expect(stored).toEqual({
      tenantId: a.id,
      name: 'password_reset',
      subject: 'S2',
      text: 'T {{link}}',
      html: null,
      updatedAt: at,
    });
    expect((await repo.list(a.id)).map((t) => t.name)).toEqual(['invitation', 'password_reset']);
    expect(await repo.list(b.id)).toEqual([]);
    expect(await repo.get(b.id, 'password_reset')).toBeUndefined();
    expect(await repo.remove(a.id, 'password_reset')).toBe(true);
    expect(await repo.remove(a.id, 'password_reset')).toBe(false);
    expect((await repo.list(a.id)).map((t) => t.name)).toEqual(['invitation']);
  });

  it("sets and clears a tenant's shortest password", async () => {
    const t = await svc.addTenant({ name: `p-${crypto.randomUUID().slice(0, 8)}` });
    expect((await svc.storage.tenants.get(t.id))?.passwordMinLength).toBeUndefined();
    expect(await svc.storage.tenants.setPasswordMinLength(t.id, 14, svc.clock.now())).toBe(true);
    expect((await svc.storage.tenants.get(t.id))?.passwordMinLength).toBe(14);
    expect(await svc.storage.tenants.setPasswordMinLength(t.id, null, svc.clock.now())).toBe(true);
    expect((await svc.storage.tenants.get(t.id))?.passwordMinLength).toBeUndefined();
    expect(await svc.storage.tenants.setPasswordMinLength(crypto.randomUUID(), 9, svc.clock.now())).toBe(
      false,
    );
  });

  it('renders a mail when it is queued: a later change of the template does not alter it', async () => {
    const t = await svc.addTenant({ name: `q-${crypto.randomUUID().slice(0, 8)}` });
    const put = (subject: string) =>
      svc.storage.mailTemplates.put({
        tenantId: t.id,
        name: 'password_changed',
        subject,
        text: null,
        html: null,
        updatedAt: svc.clock.now(),
      });
    await put('Before for {{email}}');
    const mailer = createMailer({ storage: svc.storage, kek: svc.kek, clock: svc.clock.now });
    const values = { email: 'p@example.com', tenant: t.name, time: '2026-01-01T00:00:00.000Z' };
    const id = await mailer.send(
      await tenantMail(svc.storage, {
        tenantId: t.id,
        name: 'password_changed',
        to: 'p@example.com',
        values,
      }),
      { template: 'password_changed', tenantId: t.id },
    );
    await put('After');
    const queued = await svc.storage.people.getMail(id);
    const message = openMail(svc.kek, id, queued?.sealed as Buffer);
    expect(message.subject).toBe('Before for p@example.com');
    expect(message.text).toContain(
      `The password of p@example.com at ${t.name} was reset at 2026-01-01T00:00:00.000Z`,
    );
  });
});
