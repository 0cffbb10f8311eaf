// The admin API's /tenants/{id}/scim-tokens: an Administrator makes a token for its own tenant (shown
// once, stored hashed), lists it without the secret and revokes it; another tenant's Administrator and
// a plain user cannot; the audit trail records it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_APP, actor, call, role } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ application: ADMIN_APP });
});
afterAll(async () => {
  await svc?.close();
});

const scimGet = (tenantId: string, token: string) =>
  svc.app.inject({
    method: 'GET',
    url: `/scim/v2/${tenantId}/Users`,
    headers: { authorization: `Bearer ${token}` },
  });

it('makes, lists and revokes a tenant SCIM token, within the tenant only', async () => {
  const tenant = await svc.addTenant();
  const other = await svc.addTenant();
  const admin = await actor(svc, tenant, { role: role('Administrator') });
  const otherAdmin = await actor(svc, other, { role: role('Administrator') });
  const plain = await actor(svc, tenant, { role: role('Agent') }, 'openid');

  const created = await call(svc, admin, 'POST', `/tenants/${tenant.id}/scim-tokens`, { name: 'Entra ID' });
  expect(created.statusCode).toBe(201);
  const { id, token } = created.json() as { id: string; token: string };
  expect(token).toMatch(/^cxscim\./);
  expect(created.headers['cache-control']).toBe('no-store');
  // Stored as a keyed hash only.
  const stored = await svc.storage.scim.getToken(id);
  expect(stored?.secretHash.toString('hex')).not.toContain(
    Buffer.from(token.split('.')[2] ?? '').toString('hex'),
  );
  expect(stored?.secretHash.equals(svc.hasher.hash(token.split('.')[2] ?? ''))).toBe(true);
  expect((await scimGet(tenant.id, token)).statusCode).toBe(200);

  const list = await call(svc, admin, 'GET', `/tenants/${tenant.id}/scim-tokens`);
  expect(list.statusCode).toBe(200);
  expect(list.json().items).toEqual([expect.objectContaining({ id, name: 'Entra ID', revokedAt: null })]);
  expect(list.body).not.toContain(token.split('.')[2]);

  // Another tenant's Administrator sees no such tenant; a plain user may not.
  expect((await call(svc, otherAdmin, 'GET', `/tenants/${tenant.id}/scim-tokens`)).statusCode).toBe(404);
  expect(
    (await call(svc, otherAdmin, 'POST', `/tenants/${tenant.id}/scim-tokens`, { name: 'x' })).statusCode,
  ).toBe(404);
  expect((await call(svc, otherAdmin, 'DELETE', `/tenants/${tenant.id}/scim-tokens/${id}`)).statusCode).toBe(
    404,
  );
  expect((await call(svc, otherAdmin, 'DELETE', `/tenants/${other.id}/scim-tokens/${id}`)).statusCode).toBe(
    404,
  );
  expect(
    (await call(svc, plain, 'POST', `/tenants/${tenant.id}/scim-tokens`, { name: 'x' })).statusCode,
  ).toBe(403);
  expect((await call(svc, admin, 'POST', `/tenants/${tenant.id}/scim-tokens`, {})).statusCode).toBe(400);
  expect((await scimGet(tenant.id, token)).statusCode).toBe(200);

  expect((await call(svc, admin, 'DELETE', `/tenants/${tenant.id}/scim-tokens/${id}`)).statusCode).toBe(204);
  expect((await scimGet(tenant.id, token)).statusCode).toBe(401);
  const after = await call(svc, admin, 'GET', `/tenants/${tenant.id}/scim-tokens`);
  expect(after.json().items[0].revokedAt).not.toBeNull();

  const events = await call(svc, admin, 'GET', `/audit-events?tenantId=${tenant.id}`);
  expect(events.statusCode).toBe(200);
  const types = (events.json() as { items: { type: string }[] }).items.map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['scim_token.created', 'scim_token.revoked']));
  expect(events.body).not.toContain(token.split('.')[2]);
});
