// Two nodes on one PostgreSQL database: a change made through the admin API on node A holds on node B
// within a second (in fact at its next request): a newly added origin is answered by B's preflight, and
// an access key deactivated on A is refused by B.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ADMIN_APP, actor, call } from '../support/admin.js';
import { basic, tokenRequest } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { pgUnavailable } from '../support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`two PostgreSQL nodes skipped: ${pgReason}`);

describe.skipIf(pgReason !== undefined)('admin changes on two PostgreSQL nodes', () => {
  let a: TestService;
  let b: FastifyInstance;
  let admin: Actor;
  beforeAll(async () => {
    a = await startTestService({ dialect: 'postgres', application: ADMIN_APP });
    ({ app: b } = await a.secondNode());
    admin = await actor(a, a.fixture.tenant);
  });
  afterAll(async () => {
    await a?.close();
  });

  const preflight = (origin: string) =>
    b.inject({
      method: 'OPTIONS',
      url: '/auth/token',
      headers: { origin, 'access-control-request-method': 'POST' },
    });

  it('answers a preflight on B for an origin just added on A', async () => {
    const origin = 'https://new-origin.example';
    const created = await call(a, admin, 'POST', '/applications', {
      name: 'cors',
      type: 'backend',
      tenancy: 'single',
    });
    expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
    const started = Date.now();
    const patched = await call(a, admin, 'PATCH', `/applications/${created.json().client_id}`, {
      origins: [origin],
    });
    expect(patched.statusCode).toBe(200);
    expect((await preflight(origin)).headers['access-control-allow-origin']).toBe(origin);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses on B an access key deactivated on A', async () => {
    const user = await a.addUser(a.fixture.tenant);
    const key = await a.addAccessKey(user);
    const grantOnB = () =>
      tokenRequest(
        b,
        { grant_type: 'password', username: key.id, password: key.secret },
        { authorization: basic(a.fixture.clientId, a.fixture.clientSecret) },
      );
    expect((await grantOnB()).statusCode).toBe(200);
    const started = Date.now();
    const off = await call(a, admin, 'PATCH', `/access-keys/${encodeURIComponent(key.id)}`, {
      active: false,
    });
    expect(off.statusCode).toBe(200);
    const refused = await grantOnB();
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_grant');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
