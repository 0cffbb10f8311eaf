// Demo seeding: the na1 area is made once and then left alone, an empty database gets a tenant, user,
// application and access key whose credentials are written once (mode 0600) and reused afterwards.
import crypto from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, createAdmin, openStorage, SecretHasher, seedDemo } from '../src/index.js';
import type { Storage } from '../src/storage/contract/index.js';

let dir: string;
let storage: Storage;
const hasher = new SecretHasher(crypto.randomBytes(32));
const config = (o: { apiPort?: number; issuer?: string } = {}) => ({
  dataDir: dir,
  apiPort: o.apiPort ?? 8081,
  issuer: o.issuer ?? 'http://127.0.0.1:8080',
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-demo-'));
  storage = await openStorage(`sqlite:${path.join(dir, 'cxauth.db')}`);
  await storage.migrate();
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('seedDemo', () => {
  it('on an empty database creates everything and writes exactly the nine fields, mode 0600', async () => {
    const admin = createAdmin(storage, hasher);
    const seeded = await seedDemo(storage, admin, config());
    expect(seeded.outcome).toBe('created');
    expect(seeded.created).toBe(true);
    const credentials = seeded.credentials as NonNullable<typeof seeded.credentials>;
    expect(seeded.file).toBe(path.join(dir, 'demo-credentials.json'));
    const file = path.join(dir, 'demo-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(written)).toEqual([
      'issuer',
      'client_id',
      'client_secret',
      'accessKeyId',
      'accessKeySecret',
      'tenantId',
      'username',
      'password',
      'public_client_id',
    ]);
    expect(written).toEqual(credentials);
    expect(credentials.username).toBe('demo.admin@example.com');
    expect(credentials.password.length).toBeGreaterThanOrEqual(16);
    expect(credentials.issuer).toBe('http://127.0.0.1:8080');
    expect(credentials.accessKeyId).toMatch(/^[A-Z2-7]{52}====$/);

    const area = await storage.areas.get('na1');
    expect(area).toMatchObject({
      apiEndpoint: 'http://127.0.0.1:8081',
      authEndpoint: 'http://127.0.0.1:8080',
      uiEndpoint: 'http://127.0.0.1:8080',
      domain: 'localhost',
      acdDomain: 'localhost',
      uhDomain: 'localhost',
    });
    const owner = await storage.accessKeys.getWithOwner(credentials.accessKeyId);
    expect(owner?.tenant).toMatchObject({
      id: credentials.tenantId,
      area: 'na1',
      cluster: 'B32',
      status: 'active',
    });
    expect(Number.isInteger(owner?.tenant.businessUnitId)).toBe(true);
    expect(owner?.tenant.clusterId).toMatch(/^[A-Z]+\d+$/);
    expect(owner?.user.role.legacyId).toBe('Administrator');
    expect(hasher.verify(credentials.accessKeySecret, owner!.key.secretHash)).toBe(true);
    const app = await storage.applications.get(credentials.client_id);
    expect(app?.origins).toEqual(['http://localhost:3000']);
    expect(app?.grantTypes).toEqual(['password', 'refresh_token']);
    expect(hasher.verify(credentials.client_secret, app!.secretHash as Buffer)).toBe(true);
  });

  it('later starts reuse the file, leave the area as it was, and follow a new issuer', async () => {
    const admin = createAdmin(storage, hasher);
    const first = await seedDemo(storage, admin, config());
    const again = await seedDemo(storage, admin, config({ apiPort: 9091, issuer: 'http://localhost:9090' }));
    expect(again.created).toBe(false);
    expect(again.credentials).toEqual({ ...first.credentials, issuer: 'http://localhost:9090' });
    expect(JSON.parse(readFileSync(path.join(dir, 'demo-credentials.json'), 'utf8')).issuer).toBe(
      'http://localhost:9090',
    );
    // Another node's (or a restart's) settings never repoint an area someone serves.
    expect((await storage.areas.get('na1'))?.apiEndpoint).toBe('http://127.0.0.1:8081');
    expect(await storage.tenants.list()).toHaveLength(1);
    expect(await storage.areas.list()).toHaveLength(1);
  });

  it('serves a database another node seeded (no file here), and refuses a stale or broken file', async () => {
    const admin = createAdmin(storage, hasher);
    const seeded = await seedDemo(storage, admin, config());
    const credentials = seeded.credentials as NonNullable<typeof seeded.credentials>;
    const file = path.join(dir, 'demo-credentials.json');
    unlinkSync(file);
    const joined = await seedDemo(storage, admin, config());
    expect(joined).toEqual({ outcome: 'seeded-elsewhere', created: false, file });
    // Nothing is created for the joining node, and no file appears in its folder.
    expect(await storage.tenants.list()).toHaveLength(1);
    expect(existsSync(file)).toBe(false);

    writeFileSync(file, JSON.stringify({ ...credentials, client_id: 'gone' }));
    await expect(seedDemo(storage, admin, config())).rejects.toBeInstanceOf(ConfigError);
    await expect(seedDemo(storage, admin, config())).rejects.toThrow(/does not match the database/);
    writeFileSync(file, '{');
    await expect(seedDemo(storage, admin, config())).rejects.toThrow(/not valid JSON/);
  });
});
