// Automatic rotation with two nodes on one database: both find the rotation due at once, one key is
// created between them; and the states the timestamps give, checked at exact moments.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureActiveSigningKey, listSigningKeys, rotateIfDue } from '../src/keys/signing-keys.js';
import { keyStates, keyTiming } from '../src/keys/states.js';
import { openStorage } from '../src/storage/open.js';
import { pgUnavailable, type TestDatabase, tempPostgres, tempSqlite } from './support/storage-db.js';

const timing = keyTiming({ accessTokenTtl: 3600, clockTolerance: 30, jwksMaxAge: 300, keyReloadMs: 60_000 });
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

const pgSkip = await pgUnavailable();
describe.each([
  ['sqlite', false],
  ['postgres', pgSkip !== undefined],
] as const)('automatic rotation on %s', (dialect, unavailable) => {
  it.skipIf(unavailable)('two nodes due at once create exactly one new key', async () => {
    const db = dialect === 'postgres' ? await tempPostgres() : tempSqlite();
    dbs.push(db);
    const [a, b] = [await openStorage(db.url), await openStorage(db.url)];
    try {
      await a.migrate();
      const kek = crypto.randomBytes(32);
      const t0 = new Date('2026-01-01T00:00:00Z');
      await ensureActiveSigningKey(a, kek, t0);
      const options = { alg: 'ES256' as const, timing, rotationDays: 90 };
      const notYet = new Date(t0.getTime() + 89 * 86_400_000);
      expect(await rotateIfDue(a, kek, notYet, options)).toBeUndefined();
      const due = new Date(t0.getTime() + 91 * 86_400_000);
      const made = await Promise.all([rotateIfDue(a, kek, due, options), rotateIfDue(b, kek, due, options)]);
      expect(made.filter(Boolean)).toHaveLength(1);
      const keys = await listSigningKeys(b, due, timing);
      expect(keys).toHaveLength(2);
      expect(keys.map((k) => [k.key.alg, k.state])).toEqual([
        ['ES256', 'published'],
        ['RS256', 'signing'],
      ]);
      // Later checks on either node find it done.
      expect(await rotateIfDue(b, kek, new Date(due.getTime() + 1000), options)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('key states from the stored times', () => {
  it('a new key is published, then signs after the lead; the old one is removed after the token lifetime', async () => {
    const db = tempSqlite();
    dbs.push(db);
    const storage = await openStorage(db.url);
    try {
      await storage.migrate();
      const kek = crypto.randomBytes(32);
      const t0 = new Date('2026-01-01T00:00:00Z');
      await ensureActiveSigningKey(storage, kek, t0);
      const rotateAt = new Date(t0.getTime() + 91 * 86_400_000);
      const next = await rotateIfDue(storage, kek, rotateAt, { alg: 'EdDSA', timing, rotationDays: 90 });
      const keys = await storage.signingKeys.list();
      const at = (ms: number) =>
        keyStates(keys, new Date(rotateAt.getTime() + ms), timing).map((s) => s.state);
      expect(timing.publishLeadMs).toBe(420_000);
      expect(at(0)).toEqual(['published', 'signing']);
      expect(at(timing.publishLeadMs - 1)).toEqual(['published', 'signing']);
      expect(at(timing.publishLeadMs)).toEqual(['signing', 'retired']);
      expect(at(timing.publishLeadMs + timing.tokenLifetimeMs - 1)).toEqual(['signing', 'retired']);
      expect(at(timing.publishLeadMs + timing.tokenLifetimeMs)).toEqual(['signing', 'removed']);
      expect(next?.key.alg).toBe('EdDSA');
    } finally {
      await storage.close();
    }
  });
});
