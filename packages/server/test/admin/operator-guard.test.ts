// A tenant's Administrator manages its tenant's users, but a platform operator who belongs to that
// tenant is not theirs to take over: a password, a TOTP enrolment or an access key set by the
// Administrator would let them sign in as the operator and act on every tenant (docs/admin-api.md,
// "Roles").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { basic, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

describe('admin API: an operator in an Administrator tenant', () => {
  let svc: TestService;
  let operator: Actor;
  let adminA: Actor;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    adminA = await actor(svc, svc.fixture.tenant);
  });
  afterAll(async () => svc?.close());

  it('refuses an Administrator an access key for the operator (no operator token follows)', async () => {
    const res = await call(svc, adminA, 'POST', `/users/${operator.user.id}/access-keys`);
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toMatch(/accessKeySecret/);
    // Had the key been made, it would have opened an operator token through the password grant.
    const listed = await call(svc, operator, 'GET', `/users/${operator.user.id}/access-keys`);
    expect(listed.json().items).toHaveLength(1);
  });

  it("refuses an Administrator the operator's password, TOTP, role and status", async () => {
    const id = operator.user.id;
    expect(
      (await call(svc, adminA, 'POST', `/users/${id}/password`, { password: 'a long new pass 1' }))
        .statusCode,
    ).toBe(403);
    expect((await call(svc, adminA, 'POST', `/users/${id}/totp`)).statusCode).toBe(403);
    const shown = await call(svc, adminA, 'GET', `/users/${id}`);
    expect(shown.statusCode).toBe(200);
    const etag = shown.headers['etag'] as string;
    expect(
      (await call(svc, adminA, 'PATCH', `/users/${id}`, { status: 'inactive' }, { 'if-match': etag }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call(svc, adminA, 'PATCH', `/users/${id}`, { role: 'Administrator' }, { 'if-match': etag }))
        .statusCode,
    ).toBe(403);
    expect((await call(svc, operator, 'GET', `/users/${id}`)).json().status).toBe('active');
  });

  it("refuses an Administrator the operator's access keys", async () => {
    const keys = (await call(svc, operator, 'GET', `/users/${operator.user.id}/access-keys`)).json().items;
    const path = `/access-keys/${keys[0].accessKeyId}`;
    // Not even read: an operator's keys are out of an Administrator's reach.
    expect((await call(svc, adminA, 'GET', path)).statusCode).toBe(403);
    const shown = await call(svc, operator, 'GET', path);
    const res = await call(
      svc,
      adminA,
      'PATCH',
      path,
      { active: false },
      { 'if-match': shown.headers['etag'] as string },
    );
    expect(res.statusCode).toBe(403);
    expect((await call(svc, operator, 'GET', path)).json().active).toBe(true);
  });

  it('still lets the operator manage its own keys and an operator manage the operator', async () => {
    const mine = await call(svc, operator, 'POST', `/users/${operator.user.id}/access-keys`);
    expect(mine.statusCode).toBe(201);
    const other = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    expect((await call(svc, other, 'POST', `/users/${operator.user.id}/totp`)).statusCode).toBe(201);
    // And the Administrator still manages the tenant's other users.
    const agent = await svc.addUser(svc.fixture.tenant, { role: role('Agent') });
    const key = await call(svc, adminA, 'POST', `/users/${agent.id}/access-keys`);
    expect(key.statusCode).toBe(201);
    const token = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.json().accessKeyId, password: key.json().accessKeySecret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    expect(token.statusCode).toBe(200);
  });
});
