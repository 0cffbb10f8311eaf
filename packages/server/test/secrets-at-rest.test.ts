// No secret in clear at rest: after creating an application, an access key, a session with a refresh
// token and a signing key through the real code paths, the raw rows (and on SQLite the database files
// themselves) contain no client secret, access-key secret, refresh token or private key.
import crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  ensureActiveSigningKey,
  generateToken,
  loadSigningKeys,
  openStorage,
  SecretHasher,
} from '../src/index.js';
import { pgUnavailable, type TestDatabase, tempPostgres, tempSqlite } from './support/storage-db.js';

const TABLES = [
  'areas',
  'tenants',
  'users',
  'applications',
  'access_keys',
  'signing_keys',
  'sessions',
  'refresh_tokens',
];

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`secrets-at-rest.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

/** Every representation of a secret that would betray it if found in storage. */
function needles(secrets: string[], privateDer: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (const s of secrets) {
    out.push(Buffer.from(s, 'utf8'));
    out.push(Buffer.from(s.replace(/=+$/, ''), 'utf8'));
  }
  // Any 48-byte window of the private key, raw or as base64/hex text (PEM, JWK members).
  for (const offset of [64, 300, 600, privateDer.length - 64]) {
    const chunk = privateDer.subarray(offset, offset + 48);
    out.push(chunk, Buffer.from(chunk.toString('base64').slice(4, 40)), Buffer.from(chunk.toString('hex')));
  }
  return out;
}

function cellBytes(value: unknown): Buffer[] {
  if (value === null || value === undefined) return [];
  if (Buffer.isBuffer(value))
    return [value, Buffer.from(value.toString('hex')), Buffer.from(value.toString('base64'))];
  return [Buffer.from(String(value), 'utf8')];
}

async function seed(url: string, dataKek: Buffer) {
  const storage = await openStorage(url);
  await storage.migrate();
  const hasher = new SecretHasher(dataKek);
  const admin = createAdmin(storage, hasher);
  await admin.createArea({ name: 'na1', apiEndpoint: 'http://127.0.0.1:8081' });
  const tenant = await admin.createTenant({ name: 'acme', area: 'na1' });
  const user = await admin.createUser({ tenantId: tenant.id, email: 'ada@example.com' });
  const app = await admin.createApplication({ name: 'portal', origins: ['http://localhost:3000'] });
  const key = await admin.createAccessKey({ userId: user.id });
  const refresh = generateToken();
  const now = new Date();
  const sessionId = crypto.randomUUID();
  await storage.sessions.create(
    {
      id: sessionId,
      clientId: app.client_id,
      userId: user.id,
      tenantId: tenant.id,
      accessKeyId: key.accessKeyId,
      scope: 'openid',
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      revokedAt: null,
      revokedReason: null,
    },
    {
      tokenHash: hasher.hash(refresh),
      sessionId,
      scope: 'openid',
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      usedAt: null,
    },
  );
  await ensureActiveSigningKey(storage, dataKek, now);
  const loaded = await loadSigningKeys(storage, dataKek);
  const der = loaded.active.privateKey.export({ format: 'der', type: 'pkcs8' });
  // The stored hashes still verify: what is at rest is usable, just not reversible.
  expect(
    hasher.verify(app.client_secret, (await storage.applications.get(app.client_id))!.secretHash as Buffer),
  ).toBe(true);
  expect(
    hasher.verify(key.accessKeySecret, (await storage.accessKeys.get(key.accessKeyId))!.secretHash),
  ).toBe(true);
  expect((await storage.sessions.findRefreshToken(hasher.hash(refresh)))?.session.id).toBe(sessionId);
  await storage.close();
  return { secrets: [app.client_secret, key.accessKeySecret, refresh], der, accessKeyId: key.accessKeyId };
}

function expectClean(haystacks: Buffer[], secrets: string[], der: Buffer) {
  const found = needles(secrets, der).filter((needle) => haystacks.some((h) => h.includes(needle)));
  expect(found.map((n) => n.toString('utf8').slice(0, 20))).toEqual([]);
}

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe('secrets at rest', () => {
  it('SQLite: neither raw rows nor the database files hold a secret in clear', async () => {
    const db = tempSqlite();
    dbs.push(db);
    const { secrets, der, accessKeyId } = await seed(db.url, crypto.randomBytes(32));
    const file = db.url.slice('sqlite:'.length);
    const raw = new Sqlite(file, { readonly: true });
    const cells: Buffer[] = [];
    try {
      for (const table of TABLES) {
        for (const row of raw.prepare(`select * from ${table}`).all() as Record<string, unknown>[]) {
          for (const value of Object.values(row)) cells.push(...cellBytes(value));
        }
      }
      // The seeding really happened: the key's public id is there, only its secret is not.
      expect(cells.some((c) => c.toString('utf8') === accessKeyId)).toBe(true);
    } finally {
      raw.close();
    }
    expectClean(cells, secrets, der);
    // The scan itself finds a planted secret or key (so its silence above means something).
    for (const s of secrets) expect(() => expectClean([Buffer.from(`x${s}y`)], secrets, der)).toThrow();
    expect(() => expectClean([Buffer.from(der.toString('base64'))], secrets, der)).toThrow();
    const dir = path.dirname(file);
    const files = readdirSync(dir).filter((f) => f.startsWith(path.basename(file)));
    expect(files.length).toBeGreaterThan(0);
    expectClean(
      files.map((f) => readFileSync(path.join(dir, f))),
      secrets,
      der,
    );
  });

  it.skipIf(pgMissing !== undefined)('PostgreSQL: no raw row holds a secret in clear', async () => {
    const db = await tempPostgres();
    dbs.push(db);
    const { secrets, der, accessKeyId } = await seed(db.url, crypto.randomBytes(32));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const cells: Buffer[] = [];
    try {
      for (const table of TABLES) {
        const { rows } = await client.query(`select * from ${table}`);
        for (const row of rows as Record<string, unknown>[]) {
          for (const value of Object.values(row)) cells.push(...cellBytes(value));
        }
      }
    } finally {
      await client.end();
    }
    expect(cells.some((c) => c.toString('utf8') === accessKeyId)).toBe(true);
    expectClean(cells, secrets, der);
  });
});
