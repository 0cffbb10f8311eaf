// The admin API while the database cannot write (SQLite's write lock held by another connection):
// a change answers 503 problem details with Retry-After, as the OAuth endpoints do, never a 500 that
// reads as a bug; once the lock is released the same change goes through (an access key, a tenant's
// mail template and password policy).
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlitePath } from '../../src/storage/open.js';
import { type Actor, ADMIN_APP, actor, call } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';

describe('admin API with the database locked', () => {
  let svc: TestService;
  let holder: Sqlite.Database;
  let admin: Actor;
  beforeAll(async () => {
    svc = await startTestService({ application: ADMIN_APP, env: { CXAUTH_DB_LOCK_TIMEOUT_MS: '300' } });
    admin = await actor(svc, svc.fixture.tenant);
    holder = new Sqlite(sqlitePath(svc.config.databaseUrl));
  });
  afterAll(async () => {
    if (holder?.inTransaction) holder.exec('rollback');
    holder?.close();
    await svc?.close();
  });

  it('answers 503 with Retry-After and no internals, then works again', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    holder.exec('begin immediate');
    const locked = await call(svc, admin, 'POST', `/users/${user.id}/access-keys`);
    holder.exec('rollback');
    expect(locked.statusCode).toBe(503);
    expect(locked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    expect(locked.body).not.toMatch(/SQLITE|locked|sqlite/i);
    expect((await call(svc, admin, 'POST', `/users/${user.id}/access-keys`)).statusCode).toBe(201);
  });

  it("answers 503 to a change of a tenant's mail template or password policy, then stores it", async () => {
    const path = `/tenants/${svc.fixture.tenant.id}/mail-templates/password_changed`;
    const body = { subject: 'Changed at {{tenant}}' };
    holder.exec('begin immediate');
    const locked = await call(svc, admin, 'PUT', path, body);
    const policy = await call(svc, admin, 'PATCH', `/tenants/${svc.fixture.tenant.id}`, {
      password_min_length: 10,
    });
    holder.exec('rollback');
    for (const res of [locked, policy]) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).not.toMatch(/SQLITE|locked|sqlite/i);
    }
    expect((await call(svc, admin, 'GET', path)).json().customised).toBe(false);
    expect((await call(svc, admin, 'PUT', path, body)).statusCode).toBe(200);
    expect((await call(svc, admin, 'GET', path)).json().subject).toBe('Changed at {{tenant}}');
  });
});
