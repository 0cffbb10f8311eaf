// SQLite group commit: grants that arrive together share one transaction, and each still succeeds or
// fails on its own, exactly as if it had run alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/index.js';
import type { Storage } from '../src/storage/contract/index.js';
import { type TestDatabase, tempSqlite } from './support/storage-db.js';
import * as f from './support/storage-factories.js';

describe('group commit of session writes (SQLite)', () => {
  let db: TestDatabase;
  let storage: Storage;
  let app: ReturnType<typeof f.application>;
  let user: ReturnType<typeof f.user>;

  beforeAll(async () => {
    db = tempSqlite();
    storage = await openStorage(db.url);
    await storage.migrate();
    await storage.areas.upsert(f.area());
    const tenant = f.tenant();
    await storage.tenants.create(tenant);
    user = f.user(tenant.id);
    await storage.users.create(user);
    app = f.application();
    await storage.applications.create(app);
  });
  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('writes every session of a group, and a failing one fails alone', async () => {
    const taken = f.session(app, user);
    await storage.sessions.create(taken, f.refreshToken(taken.id));
    const fresh = Array.from({ length: 12 }, () => f.session(app, user));
    const results = await Promise.allSettled([
      ...fresh.slice(0, 6).map((s) => storage.sessions.create(s, f.refreshToken(s.id))),
      // The same id again, in the middle of the group: a unique violation for it alone.
      storage.sessions.create(taken, f.refreshToken(taken.id)),
      ...fresh.slice(6).map((s) => storage.sessions.create(s, f.refreshToken(s.id))),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(6).fill('fulfilled'),
      'rejected',
      ...Array(6).fill('fulfilled'),
    ]);
    expect((results[6] as PromiseRejectedResult).reason).toMatchObject({ kind: 'unique' });
    for (const s of fresh) expect((await storage.sessions.get(s.id))?.id).toBe(s.id);
    // The failed write left nothing behind: its refresh token was rolled back with it.
    expect(await storage.sessions.get(taken.id)).toMatchObject({ scope: taken.scope });
  });

  it('decides concurrent rotations of one token as if they ran one after another', async () => {
    const s = f.session(app, user);
    const first = f.refreshToken(s.id);
    await storage.sessions.create(s, first);
    const at = new Date(f.T0.getTime() + 1000);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => storage.sessions.rotate(first.tokenHash, f.refreshToken(s.id), at)),
    );
    const outcomes = results.map((r) => r.outcome);
    // The first claim wins; every later one in the group is a replay, which ends the session.
    expect(outcomes[0]).toBe('rotated');
    expect(outcomes.slice(1)).toEqual(Array(7).fill('reused'));
    expect((await storage.sessions.get(s.id))?.revokedAt).not.toBeNull();
  });
});
