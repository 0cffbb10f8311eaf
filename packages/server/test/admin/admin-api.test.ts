// The admin API on SQLite and PostgreSQL: roles (operator, Administrator, self), another tenant's
// resources as 404, bad bodies as 400 problem details, stale If-Match as 412, pagination by Link, and
// secret rotation with its overlap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { basic, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { pgUnavailable } from '../support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`admin API on PostgreSQL skipped: ${pgReason}`);

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('admin API (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  let operator: Actor;
  let adminA: Actor;
  let adminB: Actor;
  let plain: Actor;
  beforeAll(async () => {
    if (skip) return;
    svc = await startTestService({
      dialect,
      application: ADMIN_APP,
      env: { CXAUTH_SECRET_ROTATION_OVERLAP_SECONDS: '600' },
    });
    const other = await svc.addTenant();
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    adminA = await actor(svc, svc.fixture.tenant);
    adminB = await actor(svc, other);
    plain = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
  });
  afterAll(async () => svc?.close());

  it.skipIf(skip)('refuses the admin scope to a user who is neither Administrator nor operator', async () => {
    const user = await svc.addUser(svc.fixture.tenant, { role: role('Agent') });
    const key = await svc.addAccessKey(user);
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid admin' },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_scope');
  });

  it.skipIf(skip)('refuses the tokens of an application not registered for the admin API', async () => {
    // Any app holding a user's token could otherwise mint that user long-lived access keys.
    const user = await svc.addUser(svc.fixture.tenant, { role: role('Agent') });
    const key = await svc.addAccessKey(user);
    const other = await svc.addApplication({});
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid' },
      { authorization: basic(other.clientId, other.clientSecret) },
    );
    expect(res.statusCode).toBe(200);
    const foreign = { user, token: (res.json() as { access_token: string }).access_token };
    // Its tokens are not for the admin API (RFC 8707 audience), and it cannot ask for ones that are.
    const mint = await call(svc, foreign, 'POST', `/users/${user.id}/access-keys`);
    expect(mint.statusCode).toBe(401);
    expect(mint.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await call(svc, foreign, 'GET', `/users/${user.id}/access-keys`)).statusCode).toBe(401);
    const asked = await tokenRequest(
      svc.app,
      {
        grant_type: 'password',
        username: key.id,
        password: key.secret,
        scope: 'openid',
        resource: `${svc.config.issuer}/admin/v1`,
      },
      { authorization: basic(other.clientId, other.clientSecret) },
    );
    expect(asked.json().error).toBe('invalid_target');
    expect(await svc.storage.accessKeys.list({ userId: user.id })).toHaveLength(1);
  });

  it.skipIf(skip)('answers 401 problem details without a token, 403 without the role', async () => {
    const anonymous = await call(svc, undefined, 'GET', '/tenants');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await call(svc, plain, 'GET', '/applications')).statusCode).toBe(403);
    expect((await call(svc, adminA, 'POST', '/tenants', { name: 'x1', area: 'na1' })).statusCode).toBe(403);
    expect((await call(svc, adminA, 'GET', '/signing-keys')).statusCode).toBe(403);
  });

  it.skipIf(skip)('areas: POST refuses an existing one (409), PATCH changes only what is given', async () => {
    const created = await call(svc, operator, 'POST', '/areas', {
      name: 'ap1',
      api_endpoint: 'https://api-ap1.example',
    });
    expect(created.statusCode).toBe(201);
    const again = await call(svc, operator, 'POST', '/areas', {
      name: 'ap1',
      api_endpoint: 'https://other.example',
    });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.json().detail).toMatch(/area ap1 exists: use `cxauth admin area update ap1`/);
    const patched = await call(svc, operator, 'PATCH', '/areas/ap1', { ui_endpoint: 'https://ap1.example' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({ ...created.json(), ui_endpoint: 'https://ap1.example' });
    // Administrators and unknown fields are refused; an unknown area is 404.
    expect((await call(svc, adminA, 'PATCH', '/areas/ap1', { domain: 'x.example' })).statusCode).toBe(403);
    expect((await call(svc, operator, 'PATCH', '/areas/ap1', { name: 'zz' })).statusCode).toBe(400);
    expect((await call(svc, operator, 'PATCH', '/areas/zz9', { domain: 'x.example' })).statusCode).toBe(404);
  });

  it.skipIf(skip)(
    'lets operators create tenants and users, and Administrators only in their tenant',
    async () => {
      const t = await call(svc, operator, 'POST', '/tenants', { name: `t-${dialect}`, area: 'na1' });
      expect(t.statusCode).toBe(201);
      const tenantId = t.json().id as string;
      expect((await call(svc, operator, 'GET', `/tenants/${tenantId}`)).json().name).toBe(`t-${dialect}`);
      // Another tenant is not there for an Administrator: 404, never 403.
      expect((await call(svc, adminA, 'GET', `/tenants/${tenantId}`)).statusCode).toBe(404);
      expect((await call(svc, adminA, 'GET', `/tenants/${tenantId}/users`)).statusCode).toBe(404);
      expect(
        (await call(svc, adminA, 'POST', `/tenants/${tenantId}/users`, { email: 'a@example.com' }))
          .statusCode,
      ).toBe(404);
      expect(
        (await call(svc, adminA, 'GET', '/tenants')).json().items.map((x: { id: string }) => x.id),
      ).toEqual([svc.fixture.tenant.id]);
      const u = await call(svc, adminA, 'POST', `/tenants/${svc.fixture.tenant.id}/users`, {
        email: `new-${dialect}@example.com`,
        given_name: 'New',
        role: 'Agent',
      });
      expect(u.statusCode).toBe(201);
      expect(u.json()).toMatchObject({ tenantId: svc.fixture.tenant.id, given_name: 'New', operator: false });
      expect((await call(svc, adminB, 'GET', `/users/${u.json().id}`)).statusCode).toBe(404);
      // Only an operator makes operators.
      const op = await call(svc, adminA, 'POST', `/tenants/${svc.fixture.tenant.id}/users`, {
        email: `op-${dialect}@example.com`,
        operator: true,
      });
      expect(op.statusCode).toBe(403);
    },
  );

  it.skipIf(skip)('answers bad bodies, params and queries with 400 problem details, never 500', async () => {
    const tenant = `/tenants/${svc.fixture.tenant.id}/users`;
    for (const [method, path, body] of [
      ['POST', tenant, { email: 'x@example.com', unknown: 1 }],
      ['POST', tenant, { email: 42 }],
      ['POST', tenant, {}],
      ['POST', tenant, []],
      ['POST', tenant, { email: 'not-an-email' }],
      ['PATCH', `/users/${adminA.user.id}`, {}],
      [
        'POST',
        '/applications',
        { name: 'x', type: 'backend', tenancy: 'single', origins: ['https://a.example/path'] },
      ],
      ['GET', '/applications?limit=0', undefined],
      ['GET', '/applications?cursor=garbage', undefined],
      ['GET', '/applications?bogus=1', undefined],
    ] as const) {
      const res = await call(svc, operator, method, path, body);
      expect(res.statusCode, `${method} ${path} ${JSON.stringify(body)}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    }
    const unknown = await call(svc, operator, 'POST', tenant, { email: 'x@example.com', admin: true });
    expect(unknown.json().errors).toEqual([{ in: 'body', pointer: '/', reason: 'unknown member "admin"' }]);
    const notJson = await svc.app.inject({
      method: 'POST',
      url: `/admin/v1${tenant}`,
      headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(notJson.statusCode).toBe(400);
    expect((await call(svc, operator, 'PUT', '/tenants')).headers['allow']).toBe('GET, POST, HEAD');
  });

  it.skipIf(skip)('refuses a stale If-Match with 412 and applies a current one', async () => {
    const created = await call(svc, adminA, 'POST', '/applications', {
      name: 'etag',
      type: 'backend',
      tenancy: 'single',
    });
    expect(created.statusCode).toBe(201);
    const path = `/applications/${created.json().client_id}`;
    const first = await call(svc, adminA, 'GET', path);
    const etag = first.headers['etag'] as string;
    const changed = await call(
      svc,
      adminA,
      'PATCH',
      path,
      { origins: ['https://one.example'] },
      { 'if-match': etag },
    );
    expect(changed.statusCode).toBe(200);
    expect(changed.json().origins).toEqual(['https://one.example']);
    const stale = await call(
      svc,
      adminA,
      'PATCH',
      path,
      { origins: ['https://two.example'] },
      { 'if-match': etag },
    );
    expect(stale.statusCode).toBe(412);
    expect((await call(svc, adminA, 'GET', path)).json().origins).toEqual(['https://one.example']);
    // Another tenant's Administrator finds nothing there.
    expect((await call(svc, adminB, 'PATCH', path, { name: 'mine' })).statusCode).toBe(404);
    expect((await call(svc, adminB, 'DELETE', path)).statusCode).toBe(404);
    expect((await call(svc, adminA, 'DELETE', path)).statusCode).toBe(204);
    expect((await call(svc, adminA, 'GET', path)).statusCode).toBe(404);
  });

  it.skipIf(skip)('pages lists with Link rel="next" until they are exhausted', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    for (let i = 0; i < 5; i++) await svc.addAccessKey(user);
    const seen: string[] = [];
    let next: string | undefined = `/users/${user.id}/access-keys?limit=2`;
    let pages = 0;
    while (next) {
      const res = await call(svc, adminA, 'GET', next);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((k: { accessKeyId: string }) => k.accessKeyId));
      const link = res.headers['link'] as string | undefined;
      next = link
        ? new URL(/^<([^>]+)>; rel="next"$/.exec(link)?.[1] as string).href.split('/admin/v1')[1]
        : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it.skipIf(skip)('lets every user manage their own access keys and sessions, and only theirs', async () => {
    const mine = await call(svc, plain, 'POST', `/users/${plain.user.id}/access-keys`);
    expect(mine.statusCode).toBe(201);
    expect(mine.json().accessKeySecret).toMatch(/====$/);
    const id = encodeURIComponent(mine.json().accessKeyId);
    expect((await call(svc, plain, 'GET', `/access-keys/${id}`)).json()).not.toHaveProperty(
      'accessKeySecret',
    );
    expect((await call(svc, plain, 'PATCH', `/access-keys/${id}`, { active: false })).json().active).toBe(
      false,
    );
    // Switched off by its owner (or an Administrator), a key stays off until an Administrator says so.
    expect((await call(svc, plain, 'PATCH', `/access-keys/${id}`, { active: true })).statusCode).toBe(403);
    expect((await call(svc, adminA, 'PATCH', `/access-keys/${id}`, { active: true })).json().active).toBe(
      true,
    );
    expect((await call(svc, plain, 'GET', `/users/${adminA.user.id}/access-keys`)).statusCode).toBe(404);
    expect((await call(svc, adminB, 'GET', `/access-keys/${id}`)).statusCode).toBe(404);
    const sessions = (await call(svc, plain, 'GET', '/sessions')).json().items as {
      userId: string;
      id: string;
    }[];
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.userId === plain.user.id)).toBe(true);
    const others = (await call(svc, adminA, 'GET', `/sessions?userId=${adminA.user.id}`)).json().items;
    expect((await call(svc, plain, 'DELETE', `/sessions/${others[0].id}`)).statusCode).toBe(404);
    expect((await call(svc, adminB, 'DELETE', `/sessions/${others[0].id}`)).statusCode).toBe(404);
  });

  it.skipIf(skip)('keeps a rotated secret valid for the overlap, then refuses it', async () => {
    const created = await call(svc, adminA, 'POST', '/applications', {
      name: 'roll',
      type: 'backend',
      tenancy: 'single',
    });
    const { client_id, client_secret: oldSecret } = created.json() as {
      client_id: string;
      client_secret: string;
    };
    const user = await svc.addUser(svc.fixture.tenant);
    const key = await svc.addAccessKey(user);
    const grant = (secret: string) =>
      tokenRequest(
        svc.app,
        { grant_type: 'password', username: key.id, password: key.secret },
        { authorization: basic(client_id, secret) },
      );
    expect((await grant(oldSecret)).statusCode).toBe(200);
    const rotated = await call(svc, adminA, 'POST', `/applications/${client_id}/secret`);
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().client_secret as string;
    expect(newSecret).not.toBe(oldSecret);
    expect((await grant(newSecret)).statusCode).toBe(200);
    svc.clock.advance(599);
    expect((await grant(oldSecret)).statusCode).toBe(200);
    svc.clock.advance(2);
    const late = await grant(oldSecret);
    expect(late.statusCode).toBe(401);
    expect(late.json().error).toBe('invalid_client');
    expect((await grant(newSecret)).statusCode).toBe(200);
  });
});
