// The storage revision, on SQLite and PostgreSQL: it grows with every creation and change of a tenant,
// user, application or access key, and token grants (sessions, rotation, last-use touches) leave it
// alone. Also: revoking the sessions of a client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';
import * as f from './support/storage-factories.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`storage-revision.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

describe.each([
  ['sqlite', undefined],
  ['postgres', pgMissing],
] as const)('the revision on %s', (dialect, missing) => {
  let svc: TestService;
  beforeAll(async () => {
    if (!missing) svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  it.skipIf(missing !== undefined)('grows with each creation and change, in order', async () => {
    const { storage } = svc;
    const at = svc.clock.now();
    let last = await storage.revision();
    const grows = async (what: string, change: () => Promise<unknown>) => {
      await change();
      const now = await storage.revision();
      expect(now, what).toBeGreaterThan(last);
      last = now;
    };
    const t = f.tenant();
    const u = f.user(t.id);
    const k = f.accessKey(u);
    const a = f.application();
    await grows('tenant created', () => storage.tenants.create(t));
    await grows('user created', () => storage.users.create(u));
    await grows('access key created', () => storage.accessKeys.create(k));
    await grows('application created', () => storage.applications.create(a));
    await grows('tenant deactivated', () => storage.tenants.setStatus(t.id, 'inactive', at));
    await grows('tenant activated', () => storage.tenants.setStatus(t.id, 'active', at));
    await grows('user deactivated', () => storage.users.setStatus(u.id, 'inactive', at));
    await grows('access key deactivated', () => storage.accessKeys.setStatus(k.id, 'inactive', at));
    await grows('application deactivated', () => storage.applications.setStatus(a.clientId, 'inactive', at));

    // No change, no growth: an unknown id, and a failed create (its transaction rolled back).
    expect(await storage.users.setStatus('no-such-user', 'inactive', at)).toBe(false);
    await expect(storage.tenants.create(t)).rejects.toMatchObject({ kind: 'unique' });
    expect(await storage.revision()).toBe(last);
  });

  it.skipIf(missing !== undefined)('is unchanged by token grants and refreshes', async () => {
    const { fixture } = svc;
    const headers = { authorization: basic(fixture.clientId, fixture.clientSecret) };
    const before = await svc.storage.revision();
    const granted = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: fixture.accessKeyId, password: fixture.accessKeySecret },
      headers,
    );
    expect(granted.statusCode).toBe(200);
    // A minute on, so the last-use time of the key is written again: bookkeeping, not a change.
    svc.clock.advance(61);
    const again = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: fixture.accessKeyId, password: fixture.accessKeySecret },
      headers,
    );
    expect(again.statusCode).toBe(200);
    const refreshed = await tokenRequest(
      svc.app,
      { grant_type: 'refresh_token', refresh_token: granted.json().refresh_token },
      headers,
    );
    expect(refreshed.statusCode).toBe(200);
    await expect
      .poll(async () => (await svc.storage.accessKeys.get(fixture.accessKeyId))?.lastUsedAt)
      .not.toBeNull();
    expect(await svc.storage.revision()).toBe(before);
  });

  it.skipIf(missing !== undefined)('is read with the throttle counters in one statement', async () => {
    const { storage } = svc;
    const keys = ['client:one', 'client@:two', 'address:three'];
    const none = await storage.throttle.readWithRevision(keys);
    expect(none).toEqual({ revision: await storage.revision(), counters: [] });
    const at = new Date(svc.clock.now());
    await storage.throttle.fail(['client@:two'], at, 60_000);
    await storage.tenants.create(f.tenant());
    const read = await storage.throttle.readWithRevision(keys);
    expect(read.revision).toBe(await storage.revision());
    expect(read.revision).toBeGreaterThan(none.revision);
    expect(read.counters).toEqual([{ key: 'client@:two', failures: 1, blockedUntil: new Date(0) }]);
    // More keys than one prepared statement takes: the same answer by the general path.
    const many = [...keys, ...Array.from({ length: 20 }, (_, i) => `username:${i}`)];
    expect(await storage.throttle.readWithRevision(many)).toEqual(read);
  });

  it.skipIf(missing !== undefined)('revokeByClient revokes the open sessions of one client', async () => {
    const { storage } = svc;
    const [mine, theirs] = [f.application(), f.application()];
    for (const app of [mine, theirs]) await storage.applications.create(app);
    const user = svc.fixture.user;
    const a = f.session(mine, user);
    const b = f.session(mine, user);
    const c = f.session(theirs, user);
    for (const s of [a, b, c]) await storage.sessions.create(s, f.refreshToken(s.id));
    expect(await storage.sessions.revokeByClient(mine.clientId, 'application deactivated', f.later(1))).toBe(
      2,
    );
    expect(await storage.sessions.revokeByClient(mine.clientId, 'application deactivated', f.later(2))).toBe(
      0,
    );
    expect((await storage.sessions.get(a.id))?.revokedReason).toBe('application deactivated');
    expect((await storage.sessions.get(c.id))?.revokedAt).toBeNull();
  });
});
