// The admin API's passkey routes: `users/{id}/passkeys` lists a user's passkeys without key material
// (the user itself, its tenant's Administrators), one is removed by id (audited, and only through its
// owner's path), and an Administrator resets a user's second factors (TOTP and every passkey). Agents,
// other tenants' Administrators and a tenant's Administrator against a platform operator are refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Passkey } from '../../src/domain/passkey.js';
import type { User } from '../../src/domain/types.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';

/** A passkey of `user` as registration stores one (these routes only list, rename and remove it). */
async function storedPasskey(svc: TestService, user: User, o: Partial<Passkey> = {}): Promise<Passkey> {
  const p: Passkey = {
    id: randomUUID(),
    userId: user.id,
    tenantId: user.tenantId,
    credentialId: randomUUID().replaceAll('-', ''),
    publicKey: Buffer.from('a-cose-public-key'),
    counter: 12,
    transports: ['internal'],
    backupEligible: false,
    backedUp: false,
    name: 'Passkey',
    createdAt: svc.clock.now(),
    lastUsedAt: null,
    ...o,
  };
  await svc.storage.passkeys.create(p);
  return p;
}

describe('admin API: users/{id}/passkeys and the reset of second factors', () => {
  let svc: TestService;
  let admin: Actor;
  let agent: Actor;
  let operator: Actor;
  let foreignAdmin: Actor;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP });
    admin = await actor(svc, svc.fixture.tenant);
    agent = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
    operator = await actor(svc, svc.fixture.tenant, { operator: true, role: role('Agent') });
    foreignAdmin = await actor(svc, await svc.addTenant());
  });
  afterAll(async () => svc?.close());

  // Each one a second after the last: the list is oldest first (ties would fall to the random ids).
  let added = 0;
  const addPasskey = (user: User, name: string) =>
    storedPasskey(svc, user, { name, createdAt: new Date(svc.clock.now().getTime() + ++added * 1000) });
  const auditOf = (type: string, subject: string) =>
    vi.waitFor(async () => {
      const found = (await svc.storage.auditEvents.list({ type, limit: 100 })).filter(
        (e) => e.subject === subject,
      );
      if (found.length === 0) throw new Error(`no ${type} for ${subject}`);
      return found;
    });

  it('lists a user’s passkeys, to the user and its Administrators, without key material', async () => {
    const laptop = await addPasskey(agent.user, 'Laptop');
    await addPasskey(agent.user, 'Phone');
    for (const who of [agent, admin]) {
      const res = await call(svc, who, 'GET', `/users/${agent.user.id}/passkeys`);
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Record<string, unknown>[];
      expect(items.map((i) => i['name'])).toEqual(['Laptop', 'Phone']);
      expect(items[0]).toMatchObject({
        id: laptop.id,
        transports: ['internal'],
        backedUp: false,
        lastUsedAt: null,
      });
      expect(res.body).not.toContain(laptop.credentialId);
      expect(res.body).not.toMatch(/publicKey|counter|credentialId|a-cose-public-key/);
    }
    expect((await call(svc, foreignAdmin, 'GET', `/users/${agent.user.id}/passkeys`)).statusCode).toBe(404);
  });

  it('removes one passkey through its owner’s path only, and audits it', async () => {
    const other = { user: await svc.addUser(svc.fixture.tenant, { role: role('Agent') }) };
    const key = await addPasskey(other.user, 'Key');
    // Another user's path does not reach it (a plain user does not even see another user: 404).
    expect((await call(svc, admin, 'DELETE', `/users/${agent.user.id}/passkeys/${key.id}`)).statusCode).toBe(
      404,
    );
    expect(
      (await call(svc, foreignAdmin, 'DELETE', `/users/${other.user.id}/passkeys/${key.id}`)).statusCode,
    ).toBe(404);
    expect(await svc.storage.passkeys.byCredentialId(key.credentialId)).toBeDefined();
    expect((await call(svc, admin, 'DELETE', `/users/${other.user.id}/passkeys/${key.id}`)).statusCode).toBe(
      204,
    );
    expect(await svc.storage.passkeys.byCredentialId(key.credentialId)).toBeUndefined();
    const [event] = await auditOf('passkey.removed', `user:${other.user.id}`);
    expect(event?.details).toMatchObject({ passkeyId: key.id });
    expect((await call(svc, admin, 'DELETE', `/users/${other.user.id}/passkeys/${key.id}`)).statusCode).toBe(
      404,
    );
  });

  it('lets an Administrator reset a user’s second factors, and nobody else', async () => {
    const target = { user: await svc.addUser(svc.fixture.tenant, { role: role('Agent') }) };
    await svc.storage.signIn.setTotp(target.user.id, Buffer.from('sealed'), svc.clock.now());
    await addPasskey(target.user, 'One');
    await addPasskey(target.user, 'Two');
    expect((await call(svc, agent, 'DELETE', `/users/${target.user.id}/second-factors`)).statusCode).toBe(
      404,
    );
    expect(
      (await call(svc, foreignAdmin, 'DELETE', `/users/${target.user.id}/second-factors`)).statusCode,
    ).toBe(404);
    expect(await svc.storage.passkeys.listForUser(target.user.id)).toHaveLength(2);
    expect((await call(svc, admin, 'DELETE', `/users/${target.user.id}/second-factors`)).statusCode).toBe(
      204,
    );
    expect(await svc.storage.passkeys.listForUser(target.user.id)).toEqual([]);
    expect((await svc.storage.signIn.credentials(target.user.id))?.totpSecretEncrypted ?? null).toBeNull();
    const [event] = await auditOf('user.second_factors_reset', `user:${target.user.id}`);
    expect(event?.details).toMatchObject({ passkeys: 2 });
  });

  it('keeps a tenant’s Administrator away from a platform operator’s passkeys and factors', async () => {
    const key = await addPasskey(operator.user, 'Operator key');
    const id = operator.user.id;
    expect((await call(svc, admin, 'DELETE', `/users/${id}/passkeys/${key.id}`)).statusCode).toBe(403);
    expect((await call(svc, admin, 'DELETE', `/users/${id}/second-factors`)).statusCode).toBe(403);
    expect(await svc.storage.passkeys.byCredentialId(key.credentialId)).toBeDefined();
    expect(
      (await call(svc, admin, 'PATCH', `/users/${id}/passkeys/${key.id}`, { name: 'Mine now' })).statusCode,
    ).toBe(403);
    expect((await svc.storage.passkeys.listForUser(id))[0]?.name).toBe('Operator key');
  });
});

describe.each(['sqlite', 'postgres'] as const)('admin API: renaming a passkey (%s)', (dialect) => {
  let svc: TestService;
  let admin: Actor;
  let agent: Actor;
  let foreignAdmin: Actor;
  beforeAll(async () => {
    svc = await startTestService({ dialect, application: ADMIN_APP });
    admin = await actor(svc, svc.fixture.tenant);
    agent = await actor(svc, svc.fixture.tenant, { role: role('Agent') }, 'openid');
    foreignAdmin = await actor(svc, await svc.addTenant());
  });
  afterAll(async () => svc?.close());
  const addPasskey = (user: User, name: string) =>
    storedPasskey(svc, user, { name, transports: ['usb'], backupEligible: true, backedUp: true });
  const nameOf = async (user: User) => (await svc.storage.passkeys.listForUser(user.id))[0]?.name;
  const rename = (who: Actor, user: User, id: string, body: unknown) =>
    call(svc, who, 'PATCH', `/users/${user.id}/passkeys/${id}`, body);

  it('renames, trimmed, for the tenant’s Administrator and the user itself, and audits passkey.renamed', async () => {
    const target = await svc.addUser(svc.fixture.tenant, { role: role('Agent') });
    const key = await addPasskey(target, 'Key');
    const res = await rename(admin, target, key.id, { name: '  Office YubiKey  ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: key.id,
      name: 'Office YubiKey',
      transports: ['usb'],
      backedUp: true,
    });
    expect(res.body).not.toMatch(/publicKey|counter|credentialId|tenantId|userId/);
    expect(await nameOf(target)).toBe('Office YubiKey');
    const events = (await svc.storage.auditEvents.list({ type: 'passkey.renamed', limit: 100 })).filter(
      (e) => e.subject === `user:${target.id}`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: `user:${admin.user.id}`, tenantId: target.tenantId });
    expect(events[0]?.details).toMatchObject({ passkeyId: key.id });
    // The user renames its own (as it may remove its own).
    const own = await addPasskey(agent.user, 'Mine');
    expect((await rename(agent, agent.user, own.id, { name: 'Phone' })).statusCode).toBe(200);
    expect(await nameOf(agent.user)).toBe('Phone');
  });

  it('refuses another tenant’s Administrator, another user and another user’s path (404)', async () => {
    const target = await svc.addUser(svc.fixture.tenant, { role: role('Agent') });
    const key = await addPasskey(target, 'Untouched');
    expect((await rename(foreignAdmin, target, key.id, { name: 'Taken' })).statusCode).toBe(404);
    expect((await rename(agent, target, key.id, { name: 'Taken' })).statusCode).toBe(404);
    // The tenant's Administrator through another user's path: that user has no such passkey.
    expect((await rename(admin, agent.user, key.id, { name: 'Taken' })).statusCode).toBe(404);
    expect((await rename(admin, target, randomUUID(), { name: 'Taken' })).statusCode).toBe(404);
    expect(await nameOf(target)).toBe('Untouched');
  });

  it('refuses an empty or too long name, control characters and other members (400)', async () => {
    const target = await svc.addUser(svc.fixture.tenant, { role: role('Agent') });
    const key = await addPasskey(target, 'Kept');
    for (const body of [
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(65) },
      { name: 'line\nbreak' },
      { name: 'bell\u0007' },
      { name: 'esc\u001b[31m' },
      { name: 'c1\u0085' },
      { name: 'evil\u202etxt.exe' },
      { name: 'mark\u200fLaptop' },
      { name: 'zero\u200bwidth' },
      { name: 'b\ufeffom' },
      { name: 'line\u2028sep' },
      { name: 7 },
      {},
      { name: 'Fine', extra: true },
    ]) {
      const res = await rename(admin, target, key.id, body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
    }
    expect(await nameOf(target)).toBe('Kept');
    // 64 characters (of any script) are fine.
    const long = 'é'.repeat(64);
    expect((await rename(admin, target, key.id, { name: long })).statusCode).toBe(200);
    expect(await nameOf(target)).toBe(long);
  });
});
