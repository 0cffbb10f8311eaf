// The admin API's /tenants/{id}/identity-providers (docs/sso.md): an Administrator adds an OIDC IdP to
// its own tenant (the client secret sealed with the KEK, never shown), lists, shows, changes and
// deletes it; another tenant's Administrator and a plain user cannot; bad input is a 400 problem; the
// tenant's sso_required is switched by PATCH /tenants/{id}; the audit trail records the changes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decrypt } from '../../src/keys/kek.js';
import { ADMIN_APP, actor, call, role } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ application: ADMIN_APP });
});
afterAll(async () => {
  await svc?.close();
});

const SECRET = 'very-secret-upstream-client-secret';

it('adds, lists, shows, changes and deletes an IdP within its tenant; the secret never comes back', async () => {
  const tenant = await svc.addTenant();
  const other = await svc.addTenant();
  const admin = await actor(svc, tenant, { role: role('Administrator') });
  const otherAdmin = await actor(svc, other, { role: role('Administrator') });
  const plain = await actor(svc, tenant, { role: role('Agent') }, 'openid');
  const base = `/tenants/${tenant.id}/identity-providers`;

  const created = await call(svc, admin, 'POST', base, {
    kind: 'oidc',
    name: 'Entra ID',
    domains: ['Contoso.test'],
    attribute_mapping: { email: 'preferred_username' },
    oidc: { issuer: 'https://login.contoso.test/v2.0/', client_id: 'abc', client_secret: SECRET },
  });
  expect(created.statusCode, created.body).toBe(201);
  expect(created.body).not.toContain(SECRET);
  const view = created.json() as { id: string; oidc: Record<string, unknown>; domains: string[] };
  expect(view).toMatchObject({
    kind: 'oidc',
    enabled: true,
    domains: ['contoso.test'],
    default_role: 'Agent',
    attribute_mapping: { email: 'preferred_username', given_name: 'given_name', family_name: 'family_name' },
    oidc: {
      issuer: 'https://login.contoso.test/v2.0',
      client_id: 'abc',
      scopes: ['openid', 'email', 'profile'],
      client_secret_set: true,
      redirect_uri: `${svc.config.issuer}/auth/sso/oidc/${view.id}/callback`,
    },
  });
  // Sealed with the KEK, bound to the IdP.
  const stored = await svc.storage.identityProviders.get(view.id);
  expect(stored?.secretSealed?.toString('utf8')).not.toContain(SECRET);
  expect(decrypt(svc.kek, stored?.secretSealed as Buffer, `idp-secret:${view.id}`).toString('utf8')).toBe(
    SECRET,
  );

  const list = await call(svc, admin, 'GET', base);
  expect(list.statusCode).toBe(200);
  expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([view.id]);
  expect(list.body).not.toContain(SECRET);
  expect((await call(svc, admin, 'GET', `${base}/${view.id}`)).json().name).toBe('Entra ID');

  const patched = await call(svc, admin, 'PATCH', `${base}/${view.id}`, {
    enabled: false,
    default_role: 'Supervisor',
    oidc: { scopes: ['email'] },
  });
  expect(patched.statusCode, patched.body).toBe(200);
  expect(patched.json()).toMatchObject({
    enabled: false,
    default_role: 'Supervisor',
    oidc: { scopes: ['openid', 'email'], client_secret_set: true },
  });

  // Another tenant's Administrator sees no such tenant; a plain user may not; through another tenant
  // the IdP does not exist.
  expect((await call(svc, otherAdmin, 'GET', base)).statusCode).toBe(404);
  expect((await call(svc, otherAdmin, 'PATCH', `${base}/${view.id}`, { name: 'x' })).statusCode).toBe(404);
  expect((await call(svc, plain, 'GET', base)).statusCode).toBe(403);
  expect(
    (await call(svc, otherAdmin, 'GET', `/tenants/${other.id}/identity-providers/${view.id}`)).statusCode,
  ).toBe(404);

  // Bad input: a plain-http issuer, a bad domain, an unknown member.
  for (const body of [
    { kind: 'oidc', name: 'x', oidc: { issuer: 'http://idp.example.test', client_id: 'a' } },
    {
      kind: 'oidc',
      name: 'x',
      domains: ['not a domain'],
      oidc: { issuer: 'https://i.test', client_id: 'a' },
    },
    { kind: 'oidc', name: 'x', oidc: { issuer: 'https://i.test', client_id: 'a' }, secret: 'x' },
  ]) {
    const res = await call(svc, admin, 'POST', base, body);
    expect(res.statusCode, JSON.stringify(body)).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  // A domain the tenant's IdPs claim already is a conflict.
  const again = await call(svc, admin, 'POST', base, {
    kind: 'oidc',
    name: 'Second',
    domains: ['contoso.test'],
    oidc: { issuer: 'https://i.test', client_id: 'a' },
  });
  expect(again.statusCode).toBe(409);

  const tenantNow = await call(svc, admin, 'GET', `/tenants/${tenant.id}`);
  const sso = await call(
    svc,
    admin,
    'PATCH',
    `/tenants/${tenant.id}`,
    { sso_required: true },
    {
      'if-match': String(tenantNow.headers.etag),
    },
  );
  expect(sso.statusCode, sso.body).toBe(200);
  expect(sso.json().sso_required).toBe(true);

  expect((await call(svc, admin, 'DELETE', `${base}/${view.id}`)).statusCode).toBe(204);
  expect((await call(svc, admin, 'GET', `${base}/${view.id}`)).statusCode).toBe(404);

  await svc.app.close(); // stores pending audit events
  const types = (await svc.storage.auditEvents.list({ type: 'identity_provider.*', limit: 100 })).map(
    (e) => e.type,
  );
  expect(types.sort()).toEqual([
    'identity_provider.changed',
    'identity_provider.created',
    'identity_provider.deleted',
  ]);
  const events = await svc.storage.auditEvents.list({ limit: 1000 });
  expect(JSON.stringify(events)).not.toContain(SECRET);
});
