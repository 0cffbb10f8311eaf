// One PATCH of a tenant is one change: every field it names, and their audit events, commit together,
// so a fault at the last field leaves the tenant as it was (and its ETag valid for the retry), never
// half changed (docs/admin-api.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../src/storage/errors.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';
import { pgUnavailable } from '../support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('PATCH /tenants/{id} (%s)', (dialect) => {
  let svc: TestService;
  let admin: Actor;
  /** Makes the next change of a tenant's e-mail verification switch fail as a database that is down. */
  let failVerification = false;
  beforeAll(async () => {
    svc = await startTestService({
      dialect,
      application: ADMIN_APP,
      wrapStorage: (storage) => ({
        ...storage,
        tenants: {
          ...storage.tenants,
          setEmailVerificationRequired: (...args) => {
            if (failVerification) return Promise.reject(new StorageUnavailableError('database down', 2));
            return storage.tenants.setEmailVerificationRequired(...args);
          },
        },
      }),
    });
    admin = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
  });
  afterAll(async () => svc?.close());

  it('commits every field or none', async () => {
    const path = `/tenants/${svc.fixture.tenant.id}`;
    const before = await call(svc, admin, 'GET', path);
    expect(before.json()).toMatchObject({ sso_required: false, password_min_length: null });
    const body = { sso_required: true, password_min_length: 12, email_verification_required: true };
    const etag = { 'if-match': String(before.headers.etag) };
    failVerification = true;
    const failed = await call(svc, admin, 'PATCH', path, body, etag);
    failVerification = false;
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toMatch(/^\d+$/);
    const after = await call(svc, admin, 'GET', path);
    expect(after.json()).toMatchObject({
      sso_required: false,
      password_min_length: null,
      email_verification_required: false,
    });
    expect(after.headers.etag).toBe(before.headers.etag);
    const events = await svc.storage.auditEvents.list({ type: 'tenant.changed', limit: 100 });
    expect(events.filter((e) => e.tenantId === svc.fixture.tenant.id)).toEqual([]);

    // The retry with the same ETag goes through, all of it.
    const retried = await call(svc, admin, 'PATCH', path, body, etag);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject(body);
  });
});
