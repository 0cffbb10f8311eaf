// One storage suite, run on SQLite and on PostgreSQL: every repository method, the constraints, and
// refresh-token rotation including a 50-way race on one token.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, StorageConstraintError } from '../src/index.js';
import type { Storage } from '../src/storage/contract/index.js';
import { pgUnavailable, type TestDatabase, tempPostgres, tempSqlite } from './support/storage-db.js';
import * as f from './support/storage-factories.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`storage.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

const dialects = [
  { name: 'sqlite', make: async () => tempSqlite(), skip: false },
  { name: 'postgres', make: tempPostgres, skip: pgMissing !== undefined },
];

describe.each(dialects)('storage on $name', ({ name, make, skip }) => {
  let db: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    if (skip) return;
    db = await make();
    storage = await openStorage(db.url);
    await storage.migrate();
  });
  afterAll(async () => {
    if (skip) return;
    await storage?.close();
    await db?.drop();
  });

  describe.skipIf(skip)('', () => {
    beforeEach(async () => {
      await storage.areas.upsert(f.area());
    });

    it('reports its dialect, answers ping, and migrates again as a no-op', async () => {
      expect(storage.dialect).toBe(name);
      await storage.ping();
      await storage.migrate();
    });

    it('areas: upsert inserts, then replaces endpoints; get and list', async () => {
      await storage.areas.upsert(f.area({ name: 'eu1', apiEndpoint: 'https://api-eu1.example' }));
      await storage.areas.upsert(f.area({ name: 'eu1', apiEndpoint: 'https://api2-eu1.example' }));
      expect((await storage.areas.get('eu1'))?.apiEndpoint).toBe('https://api2-eu1.example');
      expect(await storage.areas.get('nope')).toBeUndefined();
      const names = (await storage.areas.list()).map((a) => a.name);
      expect(names).toEqual([...names].sort());
      expect(names).toContain('eu1');
      expect(names).toContain('na1');
    });

    it('tenants: round trip of every field, list, status, unique name, unknown area', async () => {
      const t = f.tenant({ private: true, businessUnitId: -2147483648 });
      await storage.tenants.create(t);
      expect(await storage.tenants.get(t.id)).toEqual(t);
      expect((await storage.tenants.list()).map((x) => x.id)).toContain(t.id);
      expect(await storage.tenants.setStatus(t.id, 'inactive', f.later(1000))).toBe(true);
      const changed = await storage.tenants.get(t.id);
      expect(changed?.status).toBe('inactive');
      expect(changed?.updatedAt).toEqual(f.later(1000));
      expect(await storage.tenants.setAccessKeySelfService(t.id, false, f.later(2000))).toBe(true);
      expect(await storage.tenants.get(t.id)).toMatchObject({ accessKeySelfService: false });
      expect(
        await storage.tenants.setAccessKeySelfService('00000000-0000-0000-0000-000000000000', true, f.T0),
      ).toBe(false);
      expect(await storage.tenants.setStatus('00000000-0000-0000-0000-000000000000', 'active', f.T0)).toBe(
        false,
      );
      await expect(storage.tenants.create(f.tenant({ name: t.name }))).rejects.toMatchObject({
        name: 'StorageConstraintError',
        kind: 'unique',
      });
      await expect(storage.tenants.create(f.tenant({ area: 'nowhere' }))).rejects.toBeInstanceOf(
        StorageConstraintError,
      );
      expect(await storage.tenants.get('missing')).toBeUndefined();
    });

    it('users: round trip with roles, list by tenant, status, e-mail unique per tenant only', async () => {
      const t1 = f.tenant();
      const t2 = f.tenant();
      await storage.tenants.create(t1);
      await storage.tenants.create(t2);
      const u = f.user(t1.id, { givenName: null, familyName: null });
      await storage.users.create(u);
      expect(await storage.users.get(u.id)).toEqual(u);
      await storage.users.create(f.user(t2.id, { email: u.email }));
      await expect(storage.users.create(f.user(t1.id, { email: u.email }))).rejects.toMatchObject({
        kind: 'unique',
      });
      await expect(storage.users.create(f.user('no-such-tenant'))).rejects.toMatchObject({
        kind: 'foreign_key',
      });
      expect((await storage.users.list({ tenantId: t1.id })).map((x) => x.id)).toEqual([u.id]);
      expect((await storage.users.list()).length).toBeGreaterThanOrEqual(2);
      expect(await storage.users.setStatus(u.id, 'inactive', f.later(5))).toBe(true);
      expect((await storage.users.get(u.id))?.status).toBe('inactive');
      expect(await storage.users.setStatus('missing', 'inactive', f.T0)).toBe(false);
    });

    it('applications: round trip, list, status, active origins deduplicated', async () => {
      const t = f.tenant();
      await storage.tenants.create(t);
      const a = f.application({ origins: ['https://a.example', 'http://localhost:3000'], tenantId: t.id });
      const b = f.application({ origins: ['https://a.example', 'https://b.example:8443'] });
      const c = f.application({ origins: ['https://inactive.example'], status: 'inactive' });
      for (const app of [a, b, c]) await storage.applications.create(app);
      expect(await storage.applications.get(a.clientId)).toEqual(a);
      expect(Buffer.isBuffer((await storage.applications.get(a.clientId))?.secretHash)).toBe(true);
      expect((await storage.applications.list()).map((x) => x.clientId)).toEqual(
        expect.arrayContaining([a.clientId, b.clientId, c.clientId]),
      );
      const origins = await storage.applications.listActiveOrigins();
      expect(origins.filter((o) => o === 'https://a.example')).toHaveLength(1);
      expect(origins).toEqual(expect.arrayContaining(['https://b.example:8443', 'http://localhost:3000']));
      expect(origins).not.toContain('https://inactive.example');
      expect(await storage.applications.setStatus(b.clientId, 'inactive', f.later(1))).toBe(true);
      expect(await storage.applications.listActiveOrigins()).not.toContain('https://b.example:8443');
      expect(await storage.applications.setStatus('missing', 'inactive', f.T0)).toBe(false);
      await expect(storage.applications.create(a)).rejects.toMatchObject({ kind: 'unique' });
      expect(await storage.applications.get('missing')).toBeUndefined();
    });

    it('access keys: round trip, owner in one lookup, list by user, status, touch throttled', async () => {
      const t = f.tenant();
      await storage.tenants.create(t);
      const u = f.user(t.id);
      await storage.users.create(u);
      const k = f.accessKey(u);
      await storage.accessKeys.create(k);
      expect(await storage.accessKeys.get(k.id)).toEqual(k);
      expect(await storage.accessKeys.getWithOwner(k.id)).toEqual({ key: k, user: u, tenant: t });
      expect(await storage.accessKeys.getWithOwner('missing')).toBeUndefined();
      expect((await storage.accessKeys.list({ userId: u.id })).map((x) => x.id)).toEqual([k.id]);
      expect((await storage.accessKeys.list()).map((x) => x.id)).toContain(k.id);
      await expect(storage.accessKeys.create(k)).rejects.toMatchObject({ kind: 'unique' });
      await expect(storage.accessKeys.create(f.accessKey(f.user(t.id)))).rejects.toMatchObject({
        kind: 'foreign_key',
      });

      await storage.accessKeys.touch(k.id, f.later(1000));
      expect((await storage.accessKeys.get(k.id))?.lastUsedAt).toEqual(f.later(1000));
      await storage.accessKeys.touch(k.id, f.later(30_000));
      expect((await storage.accessKeys.get(k.id))?.lastUsedAt).toEqual(f.later(1000));
      await storage.accessKeys.touch(k.id, f.later(61_000));
      expect((await storage.accessKeys.get(k.id))?.lastUsedAt).toEqual(f.later(61_000));

      expect(await storage.accessKeys.setStatus(k.id, 'inactive', f.T0)).toBe(true);
      expect((await storage.accessKeys.get(k.id))?.status).toBe('inactive');
      // Who switched it off is kept while it is off (an administrator by default), and cleared after.
      expect((await storage.accessKeys.get(k.id))?.deactivatedBy).toBe('administrator');
      expect(await storage.accessKeys.setStatus(k.id, 'active', f.T0)).toBe(true);
      expect((await storage.accessKeys.get(k.id))?.deactivatedBy).toBeNull();
      expect(await storage.accessKeys.setStatus(k.id, 'inactive', f.T0, 'owner')).toBe(true);
      expect((await storage.accessKeys.getWithOwner(k.id))?.key.deactivatedBy).toBe('owner');
      expect(await storage.accessKeys.setStatus('missing', 'inactive', f.T0)).toBe(false);
    });

    it('signing keys: newest first, state, unique kid, changes under the lock', async () => {
      const before = await storage.signingKeys.list();
      const older = {
        kid: `kid-old-${name}`,
        alg: 'RS256' as const,
        publicJwk: { kty: 'RSA' as const, n: 'bm9wZQ', e: 'AQAB' },
        privateKeyEncrypted: Buffer.from([1, 2, 3]),
        state: 'signing' as const,
        createdAt: f.later(-1000),
        publishAt: f.later(-1000),
        signFrom: f.later(-1000),
        retiredAt: null,
      };
      const newer = {
        ...older,
        kid: `kid-new-${name}`,
        state: 'published' as const,
        createdAt: f.later(1000),
        publishAt: f.later(1000),
        signFrom: f.later(2000),
      };
      await storage.signingKeys.create(older);
      await storage.signingKeys.create(newer);
      const list = await storage.signingKeys.list();
      expect(list).toHaveLength(before.length + 2);
      expect(list.map((k) => k.kid).indexOf(newer.kid)).toBeLessThan(
        list.map((k) => k.kid).indexOf(older.kid),
      );
      expect(list.find((k) => k.kid === older.kid)).toEqual(older);
      expect(list.find((k) => k.kid === newer.kid)).toEqual(newer);
      const ec = {
        ...older,
        kid: `kid-ec-${name}`,
        alg: 'ES256' as const,
        publicJwk: { kty: 'EC' as const, crv: 'P-256' as const, x: 'eA', y: 'eQ' },
      };
      await storage.signingKeys.create(ec);
      expect((await storage.signingKeys.list()).find((k) => k.kid === ec.kid)).toEqual(ec);
      expect(await storage.signingKeys.setState(older.kid, 'retired')).toBe(true);
      expect((await storage.signingKeys.list()).find((k) => k.kid === older.kid)?.state).toBe('retired');
      expect(await storage.signingKeys.setState('missing', 'retired')).toBe(false);
      await expect(storage.signingKeys.create(newer)).rejects.toMatchObject({ kind: 'unique' });
      // change(): what decide returns is written in the same locked transaction, only then.
      const spare = { ...older, kid: `kid-spare-${name}` };
      const seen = await storage.signingKeys.change((keys) => ({ result: keys.length }));
      expect(seen).toBe(before.length + 3);
      expect(await storage.signingKeys.change(() => ({ result: 'no' }))).toBe('no');
      expect((await storage.signingKeys.list()).map((k) => k.kid)).not.toContain(spare.kid);
      await storage.signingKeys.change(() => ({
        result: true,
        create: spare,
        retire: { kid: ec.kid, at: f.T0 },
      }));
      const after = await storage.signingKeys.list();
      expect(after.map((k) => k.kid)).toContain(spare.kid);
      expect(after.find((k) => k.kid === ec.kid)).toMatchObject({ state: 'retired', retiredAt: f.T0 });
      await expect(
        storage.signingKeys.change(() => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
    });

    describe('sessions', () => {
      let app: ReturnType<typeof f.application>;
      let u: ReturnType<typeof f.user>;
      let key: ReturnType<typeof f.accessKey>;

      beforeEach(async () => {
        const t = f.tenant();
        await storage.tenants.create(t);
        u = f.user(t.id);
        await storage.users.create(u);
        key = f.accessKey(u);
        await storage.accessKeys.create(key);
        app = f.application();
        await storage.applications.create(app);
      });

      it('create, get, findRefreshToken', async () => {
        const s = f.session(app, u, { accessKeyId: key.id });
        const first = f.refreshToken(s.id);
        await storage.sessions.create(s, first);
        expect(await storage.sessions.get(s.id)).toEqual(s);
        expect(await storage.sessions.findRefreshToken(first.tokenHash)).toEqual({
          token: first,
          session: s,
        });
        expect(await storage.sessions.findRefreshToken(Buffer.alloc(32))).toBeUndefined();
        expect(await storage.sessions.get('missing')).toBeUndefined();
      });

      it('create is atomic: a bad first token leaves no session behind', async () => {
        const s = f.session(app, u);
        const s2 = f.session(app, u);
        const first = f.refreshToken(s2.id);
        await storage.sessions.create(s2, first);
        await expect(storage.sessions.create(s, { ...first })).rejects.toMatchObject({ kind: 'unique' });
        expect(await storage.sessions.get(s.id)).toBeUndefined();
      });

      it('create: a duplicate session id or an unknown client is a constraint error, nothing stored', async () => {
        const s = f.session(app, u);
        await storage.sessions.create(s, f.refreshToken(s.id));
        const again = f.refreshToken(s.id);
        await expect(storage.sessions.create({ ...s, scope: 'other' }, again)).rejects.toMatchObject({
          name: 'StorageConstraintError',
          kind: 'unique',
        });
        expect(await storage.sessions.findRefreshToken(again.tokenHash)).toBeUndefined();
        expect((await storage.sessions.get(s.id))?.scope).toBe(s.scope);

        const orphan = f.session(f.application(), u);
        const orphanToken = f.refreshToken(orphan.id);
        await expect(storage.sessions.create(orphan, orphanToken)).rejects.toMatchObject({
          name: 'StorageConstraintError',
          kind: 'foreign_key',
        });
        expect(await storage.sessions.get(orphan.id)).toBeUndefined();
        expect(await storage.sessions.findRefreshToken(orphanToken.tokenHash)).toBeUndefined();
      });

      it('rotate: rotated, then the old token is a replay that revokes the session', async () => {
        const s = f.session(app, u);
        const first = f.refreshToken(s.id);
        await storage.sessions.create(s, first);
        const second = f.refreshToken(s.id, { createdAt: f.later(10) });
        const r1 = await storage.sessions.rotate(first.tokenHash, second, f.later(10));
        expect(r1).toEqual({ outcome: 'rotated', session: s });
        expect((await storage.sessions.findRefreshToken(first.tokenHash))?.token.usedAt).toEqual(f.later(10));
        expect((await storage.sessions.findRefreshToken(second.tokenHash))?.token).toEqual(second);

        const third = f.refreshToken(s.id);
        const r2 = await storage.sessions.rotate(first.tokenHash, third, f.later(20));
        expect(r2.outcome).toBe('reused');
        if (r2.outcome === 'reused') {
          expect(r2.session.revokedAt).toEqual(f.later(20));
          expect(r2.session.revokedReason).toMatch(/reuse/);
        }
        expect(await storage.sessions.findRefreshToken(third.tokenHash)).toBeUndefined();
        // The current token of a revoked session is no longer any good either.
        expect(await storage.sessions.rotate(second.tokenHash, f.refreshToken(s.id), f.later(30))).toEqual({
          outcome: 'invalid',
        });
      });

      it('rotate: unknown, expired token, expired session, revoked session are invalid', async () => {
        expect(await storage.sessions.rotate(Buffer.alloc(32, 7), f.refreshToken('x'), f.T0)).toEqual({
          outcome: 'invalid',
        });

        const s1 = f.session(app, u);
        const t1 = f.refreshToken(s1.id, { expiresAt: f.later(1000) });
        await storage.sessions.create(s1, t1);
        expect(
          (await storage.sessions.rotate(t1.tokenHash, f.refreshToken(s1.id), f.later(1000))).outcome,
        ).toBe('invalid');
        expect((await storage.sessions.findRefreshToken(t1.tokenHash))?.token.usedAt).toBeNull();

        const s2 = f.session(app, u, { expiresAt: f.later(500) });
        const t2 = f.refreshToken(s2.id);
        await storage.sessions.create(s2, t2);
        expect(
          (await storage.sessions.rotate(t2.tokenHash, f.refreshToken(s2.id), f.later(600))).outcome,
        ).toBe('invalid');

        const s3 = f.session(app, u);
        const t3 = f.refreshToken(s3.id);
        await storage.sessions.create(s3, t3);
        expect(await storage.sessions.revoke(s3.id, 'logout', f.later(1))).toBe(true);
        expect(await storage.sessions.revoke(s3.id, 'again', f.later(2))).toBe(false);
        expect((await storage.sessions.get(s3.id))?.revokedReason).toBe('logout');
        expect((await storage.sessions.rotate(t3.tokenHash, f.refreshToken(s3.id), f.later(3))).outcome).toBe(
          'invalid',
        );
      });

      it('rotate: of 50 concurrent calls with one token exactly one rotates', async () => {
        const s = f.session(app, u);
        const first = f.refreshToken(s.id);
        await storage.sessions.create(s, first);
        const nexts = Array.from({ length: 50 }, () => f.refreshToken(s.id));
        const results = await Promise.all(
          nexts.map((next) => storage.sessions.rotate(first.tokenHash, next, f.later(100))),
        );
        const rotated = results.filter((r) => r.outcome === 'rotated');
        expect(rotated).toHaveLength(1);
        for (const r of results) expect(['rotated', 'reused']).toContain(r.outcome);
        const stored = await Promise.all(nexts.map((n) => storage.sessions.findRefreshToken(n.tokenHash)));
        expect(stored.filter((x) => x !== undefined)).toHaveLength(1);
      });

      it('revokeByUser and revokeByAccessKey revoke open sessions and count them', async () => {
        const a = f.session(app, u, { accessKeyId: key.id });
        const b = f.session(app, u, { accessKeyId: key.id });
        const c = f.session(app, u);
        for (const s of [a, b, c]) await storage.sessions.create(s, f.refreshToken(s.id));
        expect(await storage.sessions.revokeByAccessKey(key.id, 'key deactivated', f.later(1))).toBe(2);
        expect(await storage.sessions.revokeByAccessKey(key.id, 'key deactivated', f.later(2))).toBe(0);
        expect((await storage.sessions.get(c.id))?.revokedAt).toBeNull();
        expect(await storage.sessions.revokeByUser(u.id, 'user deactivated', f.later(3))).toBe(1);
        expect((await storage.sessions.get(c.id))?.revokedReason).toBe('user deactivated');
        expect((await storage.sessions.get(a.id))?.revokedReason).toBe('key deactivated');
      });
    });
  });
});
