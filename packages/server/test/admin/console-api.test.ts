// What the console's first hour needs from the admin API, on SQLite and PostgreSQL: the console's own
// application cannot be switched off or deleted through the API; refusals name the field at fault;
// the audit log filters (type, actor, since, tenant) and pages in the database, with names beside
// ids; sessions carry the user's e-mail and the application's name; /stats counts activity per
// bucket — and a tenant's Administrator never sees another tenant's events, names or counts.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID, ensureConsoleApp } from '../../src/admin/service/console-app.js';
import type { AuditEvent } from '../../src/storage/contract/index.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { basic, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { pgUnavailable } from '../support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`console admin API on PostgreSQL skipped: ${pgReason}`);

const HOUR = 3_600_000;

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('the console’s admin API (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  let operator: Actor;
  let adminA: Actor;
  let adminB: Actor;
  let tenantB: string;
  let now: number;
  /** A minute into the hour bucket of two hours ago: three events there share one bucket at any time. */
  let twoHoursBucket: number;
  const event = (o: Partial<AuditEvent> & { type: string; at: Date }): AuditEvent => ({
    id: `${o.at.getTime().toString(16).padStart(12, '0')}${crypto.randomBytes(8).toString('hex')}`,
    actor: null,
    subject: null,
    tenantId: null,
    address: '127.0.0.1',
    details: {},
    ...o,
  });

  beforeAll(async () => {
    if (skip) return;
    svc = await startTestService({ dialect, application: ADMIN_APP });
    await ensureConsoleApp(svc.storage, svc.config, svc.clock.now());
    const other = await svc.addTenant();
    tenantB = other.id;
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    adminA = await actor(svc, svc.fixture.tenant, { email: 'ada@a.example' });
    adminB = await actor(svc, other, { email: 'bob@b.example' });
    now = svc.clock.now().getTime();
    twoHoursBucket = Math.floor((now - 2 * HOUR) / HOUR) * HOUR + 60_000;
    const a = svc.fixture.tenant.id;
    await svc.storage.auditEvents.append([
      event({ type: 'grant.refused', at: new Date(twoHoursBucket), tenantId: a }),
      event({ type: 'grant.refused', at: new Date(twoHoursBucket + 60_000), tenantId: a }),
      event({ type: 'throttle.engaged', at: new Date(twoHoursBucket + 120_000), tenantId: a }),
      event({
        type: 'client.authentication_failed',
        at: new Date(now - 30 * 60_000),
        tenantId: a,
        actor: `client:${svc.fixture.clientId}`,
      }),
      event({
        type: 'user.changed',
        at: new Date(now - 20 * 60_000),
        tenantId: a,
        actor: `user:${adminA.user.id}`,
        subject: `user:${svc.fixture.user.id}`,
      }),
      ...Array.from({ length: 5 }, (_, i) =>
        event({
          type: 'grant.refused',
          at: new Date(now - HOUR + i * 1000),
          tenantId: tenantB,
          actor: `user:${adminB.user.id}`,
          subject: `user:${adminB.user.id}`,
        }),
      ),
      event({ type: 'throttle.engaged', at: new Date(now - HOUR), tenantId: null }),
    ]);
  });
  afterAll(async () => svc?.close());

  it.skipIf(skip)('refuses to deactivate or delete the console’s own application, saying why', async () => {
    const path = `/applications/${CONSOLE_CLIENT_ID}`;
    const off = await call(svc, operator, 'PATCH', path, { active: false });
    expect(off.statusCode).toBe(409);
    expect(off.headers['content-type']).toContain('application/problem+json');
    expect(off.json().detail).toMatch(/console's own application.*nobody could sign in to the console/);
    const gone = await call(svc, operator, 'DELETE', path);
    expect(gone.statusCode).toBe(409);
    expect(gone.json().detail).toMatch(/deleting it would end every console session/);
    const still = await call(svc, operator, 'GET', path);
    expect(still.json()).toMatchObject({ status: 'active', active: true });
    // The console still signs people in: its sessions were not ended.
    expect((await svc.storage.applications.get(CONSOLE_CLIENT_ID))?.status).toBe('active');
    // Other changes of it, and switching other applications off, are still allowed.
    const renamed = await call(svc, operator, 'PATCH', path, { active: true });
    expect(renamed.statusCode).toBe(200);
    const other = await svc.addApplication({ tenantId: svc.fixture.tenant.id, tenancy: 'single' });
    expect(
      (await call(svc, adminA, 'PATCH', `/applications/${other.clientId}`, { active: false })).statusCode,
    ).toBe(200);
  });

  it.skipIf(skip)(
    'names the field at fault in the problem’s errors, for service rules and schemas',
    async () => {
      const bad = await call(svc, adminA, 'POST', `/tenants/${svc.fixture.tenant.id}/users`, {
        email: 'ada@example',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([
        { in: 'body', pointer: '/email', reason: expect.stringMatching(/^email must look like/) },
      ]);
      const uri = await call(svc, adminA, 'POST', '/applications', {
        name: 'web',
        type: 'confidential',
        tenancy: 'single',
        redirect_uris: ['http://evil.example/cb'],
      });
      expect(uri.statusCode).toBe(400);
      expect(uri.json().errors[0]).toMatchObject({ in: 'body', pointer: '/redirect_uris' });
      const grant = await call(svc, adminA, 'POST', '/applications', {
        name: 'svc',
        type: 'public',
        tenancy: 'single',
        grant_types: ['client_credentials'],
      });
      expect(grant.json().errors[0]).toMatchObject({ pointer: '/grant_types' });
      const since = await call(svc, adminA, 'GET', '/audit-events?since=yesterday');
      expect(since.statusCode).toBe(400);
      expect(since.json().errors[0]).toMatchObject({ in: 'querystring', pointer: '/since' });
      const schema = await call(svc, adminA, 'POST', '/applications', {
        name: '',
        type: 'backend',
        tenancy: 'single',
      });
      expect(schema.json().errors[0]).toMatchObject({ in: 'body', pointer: '/name' });
    },
  );

  it.skipIf(skip)(
    'a backend client_credentials application can be registered with its grants and scopes',
    async () => {
      const res = await call(svc, adminA, 'POST', '/applications', {
        name: 'billing job',
        type: 'backend',
        tenancy: 'single',
        grant_types: ['client_credentials'],
        scopes: ['openid'],
      });
      expect(res.statusCode).toBe(201);
      const app = res.json();
      expect(app).toMatchObject({
        grant_types: ['client_credentials'],
        scopes: ['openid'],
        tenantId: svc.fixture.tenant.id,
      });
      const token = await tokenRequest(
        svc.app,
        { grant_type: 'client_credentials' },
        { authorization: basic(app.client_id, app.client_secret) },
      );
      expect(token.statusCode).toBe(200);
    },
  );

  it.skipIf(skip)('filters the audit log by type, actor and since, and pages it with Link', async () => {
    const refused = await call(svc, operator, 'GET', '/audit-events?type=grant.refused&limit=200');
    expect(refused.json().items.length).toBe(7);
    const prefix = await call(svc, operator, 'GET', '/audit-events?type=throttle.*');
    expect(prefix.json().items.map((e: { type: string }) => e.type)).toEqual([
      'throttle.engaged',
      'throttle.engaged',
    ]);
    const byEmail = await call(svc, operator, 'GET', '/audit-events?actor=ada@a.example&type=user.changed');
    expect(byEmail.json().items.map((e: { type: string }) => e.type)).toEqual(['user.changed']);
    // Her registrations of the tests above are hers too; nobody else's are.
    const hers = (await call(svc, operator, 'GET', '/audit-events?actor=ada@a.example')).json().items;
    expect(hers.length).toBeGreaterThan(1);
    expect(hers.every((e: { actor: string }) => e.actor === `user:${adminA.user.id}`)).toBe(true);
    const byId = await call(svc, operator, 'GET', `/audit-events?actor=client:${svc.fixture.clientId}`);
    expect(byId.json().items.map((e: { type: string }) => e.type)).toEqual(['client.authentication_failed']);
    const recent = await call(
      svc,
      operator,
      'GET',
      `/audit-events?since=${new Date(now - 45 * 60_000).toISOString()}`,
    );
    const types = recent.json().items.map((e: { type: string }) => e.type);
    expect(types).toContain('user.changed');
    expect(types).not.toContain('throttle.engaged');
    // Names beside ids: the actor's e-mail and the subject's.
    const changed = byEmail.json().items[0];
    expect(changed).toMatchObject({ actor_name: 'ada@a.example', subject_name: 'user1@example.com' });

    // Paging in the database: newest first, each event once, Link until the end.
    const seen: string[] = [];
    let next: string | undefined = '/audit-events?type=grant.*&limit=3';
    let pages = 0;
    while (next) {
      const res = await call(svc, operator, 'GET', next);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((e: { id: string; at: string }) => `${e.at} ${e.id}`));
      const link = res.headers['link'] as string | undefined;
      next = link
        ? new URL(/^<([^>]+)>; rel="next"$/.exec(link)?.[1] as string).href.split('/admin/v1')[1]
        : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.length).toBe(7);
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect((await call(svc, operator, 'GET', '/audit-events?cursor=bm9wZQ')).statusCode).toBe(400);
  });

  it.skipIf(skip)('never shows an Administrator another tenant’s events, names or counts', async () => {
    const mine = await call(svc, adminB, 'GET', '/audit-events?limit=200');
    const items = mine.json().items as { tenantId: string }[];
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(items.every((e) => e.tenantId === tenantB)).toBe(true);
    // Asking for tenant A by filter is 404, as any of tenant A's resources is.
    const theirs = await call(svc, adminB, 'GET', `/audit-events?tenantId=${svc.fixture.tenant.id}`);
    expect(theirs.statusCode).toBe(404);
    // Tenant A's actors by e-mail or by id match nothing of tenant B's trail.
    const byEmail = await call(svc, adminB, 'GET', '/audit-events?actor=ada@a.example');
    expect(byEmail.json().items).toEqual([]);
    const byId = await call(svc, adminB, 'GET', `/audit-events?actor=user:${adminA.user.id}`);
    expect(byId.json().items).toEqual([]);
    // Stats: tenant B's failures only, never tenant A's or the platform's throttling.
    const stats = await call(svc, adminB, 'GET', '/stats?since=3h&bucket=1h');
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ tenantId: tenantB, totals: { failures: 5, throttled: 0 } });
    expect((await call(svc, adminB, 'GET', `/stats?tenantId=${svc.fixture.tenant.id}`)).statusCode).toBe(404);
    // Sessions: its own tenant's, with names; nobody of tenant A.
    const sessions = (await call(svc, adminB, 'GET', '/sessions')).json().items as {
      tenantId: string;
      user_email: string | null;
    }[];
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.tenantId === tenantB)).toBe(true);
    expect(sessions.map((s) => s.user_email)).toContain('bob@b.example');
  });

  it.skipIf(skip)('lists sessions with the user’s e-mail and the application’s name', async () => {
    const res = await call(svc, adminA, 'GET', `/sessions?userId=${adminA.user.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0]).toMatchObject({
      user_email: 'ada@a.example',
      app_name: svc.fixture.app.name,
      client_id: svc.fixture.clientId,
      active: true,
    });
    const ended = await call(svc, adminA, 'GET', '/sessions?active=false');
    expect(ended.json().items.every((s: { active: boolean }) => !s.active)).toBe(true);
  });

  it.skipIf(skip)(
    'counts activity per bucket in SQL: failures, throttling, tokens, sign-ins, sessions open',
    async () => {
      await svc.storage.signIn.openSignIn({
        id: crypto.randomUUID(),
        tokenHash: crypto.randomBytes(32),
        userId: adminA.user.id,
        tenantId: svc.fixture.tenant.id,
        authTime: new Date(now - 10 * 60_000),
        amr: ['pwd'],
        createdAt: new Date(now - 10 * 60_000),
        expiresAt: new Date(now + HOUR),
        endedAt: null,
      });
      const res = await call(
        svc,
        operator,
        'GET',
        `/stats?since=3h&bucket=1h&tenantId=${svc.fixture.tenant.id}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.bucket_seconds).toBe(3600);
      expect(body.buckets.length).toBeGreaterThanOrEqual(3);
      expect(body.buckets.length).toBeLessThanOrEqual(4);
      expect(Date.parse(body.since) % HOUR).toBe(0);
      const sum = (k: string) =>
        body.buckets.reduce((n: number, b: Record<string, number>) => n + (b[k] ?? 0), 0);
      expect(body.totals).toMatchObject({ failures: 3, throttled: 1, sign_ins: 1 });
      expect(sum('failures')).toBe(3);
      // The two refusals and the throttle two hours ago share a bucket; the client failure is in the last.
      const twoHoursAgo = body.buckets.find(
        (b: { start: string }) =>
          Date.parse(b.start) <= twoHoursBucket && Date.parse(b.start) + HOUR > twoHoursBucket,
      );
      expect(twoHoursAgo).toMatchObject({ failures: 2, throttled: 1 });
      expect(body.buckets.at(-1).failures + (body.buckets.at(-2)?.failures ?? 0)).toBeGreaterThanOrEqual(1);
      // Tokens: the password grants of the actors of tenant A; sessions open now, at the last bucket.
      const open = (
        await call(svc, operator, 'GET', `/sessions?tenantId=${svc.fixture.tenant.id}&active=true&limit=200`)
      ).json().items.length;
      expect(body.totals.tokens_issued).toBeGreaterThanOrEqual(open);
      expect(body.buckets.at(-1).active_sessions).toBe(open);
      // The platform's, for an operator: tenant B's refusals and the tenantless throttle too.
      const all = (await call(svc, operator, 'GET', '/stats?since=3h&bucket=1h')).json();
      expect(all).toMatchObject({ tenantId: null, totals: { failures: 8, throttled: 2 } });
      // Bad ranges are 400 with the parameter named.
      const tooMany = await call(svc, operator, 'GET', '/stats?since=30d&bucket=1m');
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().errors[0]).toMatchObject({ in: 'querystring', pointer: '/bucket' });
      expect((await call(svc, operator, 'GET', '/stats?bucket=soon')).statusCode).toBe(400);
      // Plain users have no statistics.
      const plain = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
      expect((await call(svc, plain, 'GET', '/stats')).statusCode).toBe(403);
    },
  );
});
