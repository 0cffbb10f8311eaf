// Attacks of a tenant's Administrator on the admin API's trust boundaries: every route that reaches a
// platform operator's sessions, access keys or factors is refused (403 in its tenant, 404 from another
// tenant), a user created without a role is an Agent, and access-key self-service obeys the tenant's
// switch and an administrator's deactivation (docs/admin-api.md, "Roles" and "Access keys").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reaching } from '../../src/admin/service/reach.js';
import type { Tenant } from '../../src/domain/types.js';
import { createAdmin } from '../../src/index.js';
import { adminResource } from '../../src/protocol/resource.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { basic, claimsOf, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

const sidOf = (a: Actor) => claimsOf(a.token)['sid'] as string;
const etagOf = async (svc: TestService, who: Actor, path: string) =>
  (await call(svc, who, 'GET', path)).headers['etag'] as string;

describe('admin API: an Administrator against a platform operator of its tenant', () => {
  let svc: TestService;
  let operator: Actor;
  let adminA: Actor;
  let foreignOperator: Actor;
  let otherTenant: Tenant;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    adminA = await actor(svc, svc.fixture.tenant);
    otherTenant = await svc.addTenant();
    foreignOperator = await actor(svc, otherTenant, { operator: true, role: role('Administrator') });
  });
  afterAll(async () => svc?.close());

  it("neither lists nor ends the operator's sessions", async () => {
    const listed = await call(svc, adminA, 'GET', '/sessions');
    expect(listed.statusCode).toBe(200);
    const ids = (listed.json().items as { id: string; userId: string }[]).map((s) => s.userId);
    expect(ids).toContain(adminA.user.id);
    expect(ids).not.toContain(operator.user.id);
    expect((await call(svc, adminA, 'GET', `/sessions?userId=${operator.user.id}`)).statusCode).toBe(403);
    expect(
      (await call(svc, adminA, 'GET', `/sessions?userId=${operator.user.id}&active=true`)).statusCode,
    ).toBe(403);
    const ended = await call(svc, adminA, 'DELETE', `/sessions/${sidOf(operator)}`);
    expect(ended.statusCode).toBe(403);
    // The operator's token still works: its session was not ended.
    expect((await call(svc, operator, 'GET', `/users/${operator.user.id}`)).statusCode).toBe(200);
    // Another tenant's operator is as invisible as any of that tenant's records.
    expect((await call(svc, adminA, 'DELETE', `/sessions/${sidOf(foreignOperator)}`)).statusCode).toBe(404);
    const foreign = await call(svc, adminA, 'GET', `/sessions?userId=${foreignOperator.user.id}`);
    expect(foreign.json().items).toEqual([]);
  });

  it("reaches none of the operator's keys, factors, role or status, by any route", async () => {
    const id = operator.user.id;
    const key = (await call(svc, operator, 'GET', `/users/${id}/access-keys`)).json().items[0].accessKeyId;
    const keyEtag = await etagOf(svc, operator, `/access-keys/${key}`);
    const userEtag = await etagOf(svc, operator, `/users/${id}`);
    const attempts: [
      string,
      'GET' | 'POST' | 'PATCH' | 'DELETE',
      string,
      unknown?,
      Record<string, string>?,
    ][] = [
      ['list keys', 'GET', `/users/${id}/access-keys`],
      ['create key', 'POST', `/users/${id}/access-keys`],
      ['show key', 'GET', `/access-keys/${key}`],
      ['deactivate key', 'PATCH', `/access-keys/${key}`, { active: false }, { 'if-match': keyEtag }],
      ['set password', 'POST', `/users/${id}/password`, { password: 'an attacker password 1' }],
      ['enrol TOTP', 'POST', `/users/${id}/totp`],
      ['deactivate user', 'PATCH', `/users/${id}`, { status: 'inactive' }, { 'if-match': userEtag }],
      ['change role', 'PATCH', `/users/${id}`, { role: 'Administrator' }, { 'if-match': userEtag }],
      ['end session', 'DELETE', `/sessions/${sidOf(operator)}`],
    ];
    for (const [what, method, path, body, headers] of attempts) {
      const res = await call(svc, adminA, method, path, body, headers);
      expect(res.statusCode, what).toBe(403);
      expect(res.body, what).not.toMatch(/accessKeySecret|otpauth/);
    }
    // From another tenant, the same routes are 404s: nothing is learnt of who is an operator there.
    const fid = foreignOperator.user.id;
    for (const path of [`/users/${fid}/access-keys`, `/users/${fid}`]) {
      expect((await call(svc, adminA, 'GET', path)).statusCode, path).toBe(404);
    }
    expect((await call(svc, adminA, 'POST', `/users/${fid}/totp`)).statusCode).toBe(404);
    // Nothing changed.
    expect((await call(svc, operator, 'GET', `/access-keys/${key}`)).json().active).toBe(true);
    expect((await call(svc, operator, 'GET', `/users/${id}`)).json()).toMatchObject({ status: 'active' });
    // And the Administrator's own tenant's records that are not the operator's stay reachable.
    expect((await call(svc, adminA, 'GET', `/users/${adminA.user.id}/access-keys`)).statusCode).toBe(200);
  });

  it("refuses to prepare an operator's password too, a verb no route calls yet", async () => {
    // The admin object each route gets is wrapped the same way; a future route calling these is covered.
    const admin = reaching(createAdmin(svc.storage, svc.hasher), svc.storage, {
      userId: adminA.user.id,
      operator: false,
    });
    await expect(admin.preparePassword(operator.user.id, 'a-long-enough-passphrase')).rejects.toMatchObject({
      code: 'forbidden',
    });
    const own = await admin.preparePassword(adminA.user.id, 'a-long-enough-passphrase');
    expect(own.userId).toBe(adminA.user.id);
  });

  it('leaves the operator its own sessions and keys, and another operator all of them', async () => {
    const mine = await call(svc, operator, 'GET', `/sessions?userId=${operator.user.id}`);
    expect(mine.statusCode).toBe(200);
    expect((mine.json().items as { id: string }[]).map((s) => s.id)).toContain(sidOf(operator));
    const other = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    expect((await call(svc, other, 'GET', `/users/${operator.user.id}/access-keys`)).statusCode).toBe(200);
    const spare = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    expect((await call(svc, other, 'DELETE', `/sessions/${sidOf(spare)}`)).statusCode).toBe(204);
    expect((await call(svc, spare, 'GET', `/users/${spare.user.id}`)).statusCode).toBe(401);
    expect((await call(svc, operator, 'DELETE', `/sessions/${sidOf(operator)}`)).statusCode).toBe(204);
  });
});

describe('admin API: a user created without a role', () => {
  let svc: TestService;
  let adminA: Actor;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
    adminA = await actor(svc, svc.fixture.tenant);
  });
  afterAll(async () => svc?.close());

  it('is an Agent (least privilege), and Administrator only when asked for', async () => {
    const tenant = svc.fixture.tenant.id;
    const plain = await call(svc, adminA, 'POST', `/tenants/${tenant}/users`, { email: 'plain@example.com' });
    expect(plain.statusCode).toBe(201);
    expect(plain.json().role.legacyId).toBe('Agent');
    const asked = await call(svc, adminA, 'POST', `/tenants/${tenant}/users`, {
      email: 'boss@example.com',
      role: 'Administrator',
    });
    expect(asked.json().role.legacyId).toBe('Administrator');
    // The Agent cannot even obtain the admin scope, and its token acts at the self level.
    const user = await svc.storage.users.get(plain.json().id);
    expect(user?.role.legacyId).toBe('Agent');
    const key = await svc.addAccessKey(user as NonNullable<typeof user>);
    const grant = (scope: string) =>
      tokenRequest(
        svc.app,
        {
          grant_type: 'password',
          username: key.id,
          password: key.secret,
          scope,
          resource: adminResource(svc.config.issuer),
        },
        { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
      );
    expect((await grant('openid admin')).json().error).toBe('invalid_scope');
    const token = await grant('openid');
    const agent = { user: user as NonNullable<typeof user>, token: token.json().access_token as string };
    expect((await call(svc, agent, 'GET', `/tenants/${tenant}/users`)).statusCode).toBe(403);
    expect((await call(svc, agent, 'GET', `/users/${agent.user.id}/access-keys`)).statusCode).toBe(200);
  });
});

describe('admin API: access-key self-service', () => {
  let svc: TestService;
  let adminA: Actor;
  let agent: Actor;
  let otherAdmin: Actor;
  let operator: Actor;
  const tenantPath = () => `/tenants/${svc.fixture.tenant.id}`;
  const keysOf = (a: Actor) => `/users/${a.user.id}/access-keys`;
  const setSelfService = async (who: Actor, on: boolean, path = tenantPath()) =>
    call(
      svc,
      who,
      'PATCH',
      path,
      { access_key_self_service: on },
      { 'if-match': await etagOf(svc, who, path) },
    );
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
    adminA = await actor(svc, svc.fixture.tenant);
    agent = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    otherAdmin = await actor(svc, await svc.addTenant());
  });
  afterAll(async () => svc?.close());

  it("is on by default and follows the tenant's switch, which its Administrators may turn", async () => {
    expect((await call(svc, adminA, 'GET', tenantPath())).json().access_key_self_service).toBe(true);
    expect((await call(svc, agent, 'POST', keysOf(agent))).statusCode).toBe(201);

    const off = await setSelfService(adminA, false);
    expect(off.statusCode).toBe(200);
    expect(off.json().access_key_self_service).toBe(false);
    const refused = await call(svc, agent, 'POST', keysOf(agent));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/self-service off/);
    // Administrators (for anyone of the tenant) and operators still create keys.
    expect((await call(svc, adminA, 'POST', keysOf(agent))).statusCode).toBe(201);
    expect((await call(svc, adminA, 'POST', keysOf(adminA))).statusCode).toBe(201);
    expect((await call(svc, operator, 'POST', keysOf(agent))).statusCode).toBe(201);
    // The change is in the audit trail, as the Administrator's.
    const events = (await call(svc, adminA, 'GET', '/audit-events?type=tenant.changed')).json().items;
    expect(events[0]).toMatchObject({
      actor: `user:${adminA.user.id}`,
      details: { access_key_self_service: false },
    });

    expect((await setSelfService(adminA, true)).json().access_key_self_service).toBe(true);
    expect((await call(svc, agent, 'POST', keysOf(agent))).statusCode).toBe(201);
  });

  it('lets an Administrator change only that setting, of its own tenant only', async () => {
    const etag = await etagOf(svc, adminA, tenantPath());
    const status = await call(
      svc,
      adminA,
      'PATCH',
      tenantPath(),
      { status: 'inactive' },
      { 'if-match': etag },
    );
    expect(status.statusCode).toBe(403);
    const both = await call(
      svc,
      adminA,
      'PATCH',
      tenantPath(),
      { status: 'active', access_key_self_service: false },
      { 'if-match': etag },
    );
    expect(both.statusCode).toBe(403);
    expect((await call(svc, adminA, 'GET', tenantPath())).json().access_key_self_service).toBe(true);
    // Another tenant's Administrator, and an Agent, cannot switch it.
    expect(
      (await call(svc, otherAdmin, 'PATCH', tenantPath(), { access_key_self_service: false })).statusCode,
    ).toBe(404);
    expect(
      (await call(svc, agent, 'PATCH', tenantPath(), { access_key_self_service: false })).statusCode,
    ).toBe(403);
    expect((await call(svc, adminA, 'PATCH', tenantPath(), {})).statusCode).toBe(400);
    expect(
      (await call(svc, adminA, 'PATCH', tenantPath(), { access_key_self_service: 'off' })).statusCode,
    ).toBe(400);
  });

  it('keeps a key an Administrator switched off off for its owner, who cannot route around it', async () => {
    const victim = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
    const [first] = (await call(svc, victim, 'GET', keysOf(victim))).json().items as {
      accessKeyId: string;
    }[];
    const spare = (await call(svc, victim, 'POST', keysOf(victim))).json();
    expect(spare.accessKeyId).toBeDefined();
    const spareToken = await tokenRequest(
      svc.app,
      {
        grant_type: 'password',
        username: spare.accessKeyId,
        password: spare.accessKeySecret,
        scope: 'openid',
        resource: adminResource(svc.config.issuer),
      },
      {
        authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret),
      },
    );
    const owner: Actor = { user: victim.user, token: spareToken.json().access_token };
    // The owner switching off one of its own keys blocks nothing.
    const ownPath = `/access-keys/${spare.accessKeyId}`;
    const ownOff = await call(
      svc,
      owner,
      'PATCH',
      ownPath,
      { active: false },
      { 'if-match': await etagOf(svc, owner, ownPath) },
    );
    expect(ownOff.json()).toMatchObject({ active: false, deactivatedBy: 'owner' });
    // (that ended the owner's spare session; its first key's token still works)
    expect((await call(svc, victim, 'POST', keysOf(victim))).statusCode).toBe(201);

    // The Administrator switches the first key off.
    const path = `/access-keys/${first?.accessKeyId}`;
    const off = await call(
      svc,
      adminA,
      'PATCH',
      path,
      { active: false },
      { 'if-match': await etagOf(svc, adminA, path) },
    );
    expect(off.json()).toMatchObject({ active: false, deactivatedBy: 'administrator' });
    // The owner signs in with another live key and tries to carry on.
    const third = (await call(svc, adminA, 'POST', keysOf(victim))).json();
    const again = await tokenRequest(
      svc.app,
      {
        grant_type: 'password',
        username: third.accessKeyId,
        password: third.accessKeySecret,
        scope: 'openid',
        resource: adminResource(svc.config.issuer),
      },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    const carryOn: Actor = { user: victim.user, token: again.json().access_token };
    const reactivate = await call(
      svc,
      carryOn,
      'PATCH',
      path,
      { active: true },
      {
        'if-match': await etagOf(svc, carryOn, path),
      },
    );
    expect(reactivate.statusCode).toBe(403);
    const created = await call(svc, carryOn, 'POST', keysOf(victim));
    expect(created.statusCode).toBe(403);
    expect(created.json().detail).toMatch(/administrator switched off one of your access keys/);
    expect(created.body).not.toMatch(/accessKeySecret/);

    // Once an Administrator turns it back on, self-service works again.
    const on = await call(
      svc,
      adminA,
      'PATCH',
      path,
      { active: true },
      { 'if-match': await etagOf(svc, adminA, path) },
    );
    expect(on.json()).toMatchObject({ active: true, deactivatedBy: null });
    expect((await call(svc, carryOn, 'POST', keysOf(victim))).statusCode).toBe(201);
  });
});
