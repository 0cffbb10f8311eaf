// The admin API over the service's real pieces (SQLite): passwords and TOTP (credentials admin),
// signing-key rotation, the audit trail (each change recorded as `user:<id>`, an Administrator reading
// only its tenant's) and application types (a public application has no secret).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/secrets/passwords.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';

describe('admin API wired to the service', () => {
  let svc: TestService;
  let operator: Actor;
  let adminA: Actor;
  let adminB: Actor;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    adminA = await actor(svc, svc.fixture.tenant);
    adminB = await actor(svc, await svc.addTenant());
  });
  afterAll(async () => svc?.close());

  it('sets a password (stored only as its hash) and refuses a weak one with 400', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    const weak = await call(svc, adminA, 'POST', `/users/${user.id}/password`, { password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.headers['content-type']).toMatch(/^application\/problem\+json/);
    const password = 'correct horse battery staple 42';
    const set = await call(svc, adminA, 'POST', `/users/${user.id}/password`, { password });
    expect(set.statusCode).toBe(204);
    const stored = await svc.storage.signIn.credentials(user.id);
    expect(stored?.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, stored?.passwordHash ?? '')).toMatchObject({ ok: true });
    // Another tenant's user is not there for an Administrator.
    const other = await call(svc, adminB, 'POST', `/users/${user.id}/password`, { password });
    expect(other.statusCode).toBe(404);
  });

  it('enrols TOTP once, answering the otpauth URI and storing the secret sealed', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    const res = await call(svc, adminA, 'POST', `/users/${user.id}/totp`);
    expect(res.statusCode).toBe(201);
    const { id, otpauth_uri } = res.json() as { id: string; otpauth_uri: string };
    expect(id).toBe(user.id);
    const secret = new URL(otpauth_uri).searchParams.get('secret') ?? '';
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const stored = await svc.storage.signIn.credentials(user.id);
    expect(stored?.totpSecretEncrypted?.length).toBeGreaterThan(0);
    expect(stored?.totpSecretEncrypted?.toString('latin1')).not.toContain(secret);
  });

  it('rotates the signing key for operators only, and lists the new one', async () => {
    expect((await call(svc, adminA, 'POST', '/signing-keys/rotate')).statusCode).toBe(403);
    const before = (await call(svc, operator, 'GET', '/signing-keys')).json().items as { kid: string }[];
    const rotated = await call(svc, operator, 'POST', '/signing-keys/rotate');
    expect(rotated.statusCode).toBe(202);
    const key = rotated.json() as { kid: string; state: string; signFrom: string };
    expect(before.map((k) => k.kid)).not.toContain(key.kid);
    expect(Date.parse(key.signFrom)).toBeGreaterThanOrEqual(svc.clock.now().getTime());
    const after = (await call(svc, operator, 'GET', '/signing-keys')).json().items as { kid: string }[];
    expect(after.map((k) => k.kid)).toContain(key.kid);
    expect(after).toHaveLength(before.length + 1);
  });

  it('records every change as its user; an Administrator reads its own tenant only', async () => {
    const created = await call(svc, adminA, 'POST', '/applications', {
      name: 'audited',
      type: 'backend',
      tenancy: 'single',
    });
    expect(created.statusCode).toBe(201);
    const clientId = created.json().client_id as string;
    const events = async (who: Actor) =>
      (await call(svc, who, 'GET', '/audit-events?type=application.*')).json().items as {
        type: string;
        actor: string;
        subject: string;
        details: Record<string, unknown>;
      }[];
    const seen = (await events(operator)).filter((e) => e.subject === `application:${clientId}`);
    expect(seen).toEqual([
      expect.objectContaining({ type: 'application.created', actor: `user:${adminA.user.id}` }),
    ]);
    expect((await events(adminA)).map((e) => e.subject)).toContain(`application:${clientId}`);
    expect((await events(adminB)).map((e) => e.subject)).not.toContain(`application:${clientId}`);
    // A secret rotation is recorded without the secret.
    const rotated = await call(svc, adminA, 'POST', `/applications/${clientId}/secret`);
    const secret = rotated.json().client_secret as string;
    const all = await call(svc, operator, 'GET', '/audit-events');
    expect(all.json().items[0]).toMatchObject({
      type: 'application.secret_rotated',
      actor: `user:${adminA.user.id}`,
    });
    expect(all.body).not.toContain(secret);
  });

  it('registers a public application without a secret, and bounds its grants by its type', async () => {
    const created = await call(svc, adminA, 'POST', '/applications', {
      name: 'spa',
      type: 'public',
      tenancy: 'single',
      redirect_uris: ['https://spa.example.com/callback'],
      post_logout_redirect_uris: ['https://spa.example.com/'],
      scopes: ['openid', 'profile'],
    });
    expect(created.statusCode).toBe(201);
    const app = created.json() as Record<string, unknown>;
    expect(app).toMatchObject({
      type: 'public',
      tenancy: 'single',
      tenantId: svc.fixture.tenant.id,
      post_logout_redirect_uris: ['https://spa.example.com/'],
      scopes: ['openid', 'profile'],
    });
    expect(app['client_secret']).toBeUndefined();
    const rotate = await call(svc, adminA, 'POST', `/applications/${app['client_id']}/secret`);
    expect(rotate.statusCode).toBe(400);
    const machine = await call(svc, adminA, 'PATCH', `/applications/${app['client_id']}`, {
      grant_types: ['client_credentials'],
    });
    expect(machine.statusCode).toBe(400);
    const unknownScope = await call(svc, adminA, 'PATCH', `/applications/${app['client_id']}`, {
      scopes: ['superuser'],
    });
    expect(unknownScope.statusCode).toBe(400);
  });
});
