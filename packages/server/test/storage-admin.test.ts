// The admin service over real storage: validation and unknown ids as AdminError, secrets returned once
// and stored hashed, and deactivation ending sessions (users, access keys, tenants, applications).
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Admin } from '../src/admin/service/admin.js';
import {
  AdminError,
  createAdmin,
  exactOrigin,
  generateToken,
  openStorage,
  SecretHasher,
} from '../src/index.js';
import type { Storage } from '../src/storage/contract/index.js';

let dir: string;
let storage: Storage;
let admin: Admin;
const hasher = new SecretHasher(crypto.randomBytes(32));
const NOW = new Date('2026-03-01T12:00:00.000Z');

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-admin-svc-'));
  storage = await openStorage(`sqlite:${path.join(dir, 'db.sqlite')}`);
  await storage.migrate();
  admin = createAdmin(storage, hasher, () => NOW);
  await admin.createArea({ name: 'na1', apiEndpoint: 'http://127.0.0.1:8081' });
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

async function world() {
  const tenant = await admin.createTenant({ name: 'acme', area: 'na1' });
  const user = await admin.createUser({ tenantId: tenant.id, email: 'a@example.com' });
  const app = await admin.createApplication({ name: 'app' });
  const key = await admin.createAccessKey({ userId: user.id });
  const open = async (accessKeyId: string | null) => {
    const id = crypto.randomUUID();
    await storage.sessions.create(
      {
        id,
        clientId: app.client_id,
        userId: user.id,
        tenantId: tenant.id,
        accessKeyId,
        scope: 'openid',
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + 86_400_000),
        revokedAt: null,
        revokedReason: null,
      },
      {
        tokenHash: hasher.hash(generateToken()),
        sessionId: id,
        scope: 'openid',
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + 86_400_000),
        usedAt: null,
      },
    );
    return id;
  };
  return { tenant, user, app, key, open };
}

describe('admin service', () => {
  it('uses the injected clock and returns plain JSON without hashes', async () => {
    const { tenant, app, key } = await world();
    expect(tenant.createdAt).toBe(NOW.toISOString());
    expect(JSON.stringify([app, key])).not.toMatch(/hash/i);
    expect(await admin.showApplication(app.client_id)).not.toHaveProperty('client_secret');
    const stored = await storage.applications.get(app.client_id);
    expect(hasher.verify(app.client_secret, stored!.secretHash as Buffer)).toBe(true);
  });

  it('deactivating an access key revokes the sessions opened with it only', async () => {
    const { key, open } = await world();
    const withKey = await open(key.accessKeyId);
    const other = await open(null);
    expect((await admin.setAccessKeyStatus(key.accessKeyId, 'inactive')).status).toBe('inactive');
    expect((await storage.sessions.get(withKey))?.revokedAt).toEqual(NOW);
    expect((await storage.sessions.get(other))?.revokedAt).toBeNull();
  });

  it('deactivating an application revokes the sessions opened through it', async () => {
    const { app, open } = await world();
    const s = await open(null);
    expect((await admin.setApplicationStatus(app.client_id, 'inactive')).status).toBe('inactive');
    expect((await storage.sessions.get(s))?.revokedAt).toEqual(NOW);
    expect((await storage.sessions.get(s))?.revokedReason).toBe('application deactivated');
  });

  it('deactivating a user or a tenant revokes their sessions', async () => {
    const { user, tenant, open } = await world();
    const s1 = await open(null);
    await admin.setUserStatus(user.id, 'inactive');
    expect((await storage.sessions.get(s1))?.revokedReason).toBe('user deactivated');
    await admin.setUserStatus(user.id, 'active');
    const s2 = await open(null);
    await admin.setTenantStatus(tenant.id, 'inactive');
    expect((await storage.sessions.get(s2))?.revokedReason).toBe('tenant deactivated');
  });

  it('reports unknown ids and bad values as AdminError with the right code', async () => {
    const { tenant } = await world();
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        expect(err).toBeInstanceOf(AdminError);
        return (err as AdminError).code;
      }
      return 'no error';
    };
    expect(await code(admin.showTenant('x'))).toBe('not_found');
    expect(await code(admin.setApplicationStatus('x', 'active'))).toBe('not_found');
    expect(await code(admin.createAccessKey({ userId: 'x' }))).toBe('not_found');
    expect(await code(admin.createApplication({ name: 'a', tenantId: 'x' }))).toBe('not_found');
    expect(await code(admin.createTenant({ name: 'acme', area: 'na1' }))).toBe('conflict');
    expect(await code(admin.createTenant({ name: 'has space', area: 'na1' }))).toBe('invalid_value');
    expect(await code(admin.createTenant({ name: 'b', area: 'na1', businessUnitId: 1.5 }))).toBe(
      'invalid_value',
    );
    expect(await code(admin.createUser({ tenantId: tenant.id, email: 'A@example.com' }))).toBe('conflict');
    expect(await code(admin.createUser({ tenantId: tenant.id, email: 'x@y.z', role: '' }))).toBe(
      'invalid_value',
    );
    expect(await code(admin.createArea({ name: 'EU 1', apiEndpoint: 'http://x' }))).toBe('invalid_value');
    expect(await code(admin.createArea({ name: 'eu1', apiEndpoint: 'http://x?q=1' }))).toBe('invalid_value');
    expect(await code(admin.createApplication({ name: 'a', redirectUris: ['https://x/#f'] }))).toBe(
      'invalid_value',
    );
  });

  it('accepts only exact origins', () => {
    for (const ok of ['http://localhost:3000', 'https://a.example', 'https://b.example:8443']) {
      expect(exactOrigin(ok)).toBe(ok);
    }
    for (const bad of [
      'https://a.example/',
      'https://a.example/path',
      'https://A.example',
      'https://a.example:443',
      'ftp://a.example',
      'null',
      '*',
    ]) {
      expect(() => exactOrigin(bad), bad).toThrow(AdminError);
    }
  });
});
