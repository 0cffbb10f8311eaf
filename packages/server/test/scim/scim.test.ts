// SCIM's trust boundaries and errors: tokens per tenant (missing, wrong, revoked, another tenant's,
// throttled), tenant A's token never reading or writing tenant B, the SCIM error schema for malformed
// requests and storage faults, and deactivation ending the user's sessions and reaching the revocation feed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../src/storage/errors.js';
import { startTestService, type TestService } from '../support/service.js';
import * as make from '../support/storage-factories.js';
import { type ScimTenant, scim, scimTenant } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let svc: TestService;
let a: ScimTenant;
let b: ScimTenant;
/** Makes the next SCIM Users query fail as a database that is down does. */
let failUsers = false;

beforeAll(async () => {
  svc = await startTestService({
    wrapStorage: (storage) => ({
      ...storage,
      scim: {
        ...storage.scim,
        findUsers: (...args) => {
          if (failUsers) return Promise.reject(new StorageUnavailableError('database down', 2));
          return storage.scim.findUsers(...args);
        },
      },
    }),
  });
  a = await scimTenant(svc);
  b = await scimTenant(svc);
});
afterAll(async () => {
  await svc?.close();
});

const newUser = (to: ScimTenant, userName: string, more: Record<string, unknown> = {}) =>
  scim(svc.app, to, { method: 'POST', path: '/Users', body: { schemas: [USER], userName, ...more } });

function expectError(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  scimType?: string,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
  expect(res.json()).toMatchObject({
    schemas: [ERROR],
    status: String(status),
    ...(scimType ? { scimType } : {}),
  });
}

describe('SCIM tokens', () => {
  it('refuses a request without a token, or with a malformed one, with 401 and WWW-Authenticate', async () => {
    for (const authorization of [undefined, 'Bearer nope', `Basic ${a.bearer}`]) {
      const res = await svc.app.inject({
        method: 'GET',
        url: `/scim/v2/${a.tenant.id}/Users`,
        headers: authorization ? { authorization } : {},
      });
      expectError(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="scim"');
    }
  });

  it("never lets tenant A's token read or write tenant B", async () => {
    const inB = (await newUser(b, 'only-in-b@example.com')).json() as { id: string };
    // A's token on B's path: refused whatever the request.
    for (const req of [
      { method: 'GET', path: '/Users' },
      { method: 'GET', path: `/Users/${inB.id}` },
      { method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'x@example.com' } },
      { method: 'DELETE', path: `/Users/${inB.id}` },
      { method: 'GET', path: '/ServiceProviderConfig' },
    ] as const) {
      expectError(await scim(svc.app, b, req, a.bearer), 401);
    }
    // A's own path cannot reach B's user by its id, nor make it a member of A's group.
    expectError(await scim(svc.app, a, { method: 'GET', path: `/Users/${inB.id}` }), 404);
    expectError(
      await scim(svc.app, a, {
        method: 'PATCH',
        path: `/Users/${inB.id}`,
        body: { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] },
      }),
      404,
    );
    expectError(
      await scim(svc.app, a, {
        method: 'POST',
        path: '/Groups',
        body: { schemas: [GROUP], displayName: 'g', members: [{ value: inB.id }] },
      }),
      400,
      'invalidValue',
    );
    const groupOfB = (
      await scim(svc.app, b, {
        method: 'POST',
        path: '/Groups',
        body: { schemas: [GROUP], displayName: 'Only B' },
      })
    ).json() as { id: string };
    expectError(await scim(svc.app, a, { method: 'GET', path: `/Groups/${groupOfB.id}` }), 404);
    expectError(await scim(svc.app, a, { method: 'DELETE', path: `/Groups/${groupOfB.id}` }), 404);
    const groupsOfA = await scim(svc.app, a, { method: 'GET', path: '/Groups' });
    expect(groupsOfA.body).not.toContain(groupOfB.id);
    expect((await scim(svc.app, b, { method: 'GET', path: `/Groups/${groupOfB.id}` })).statusCode).toBe(200);
    const list = await scim(svc.app, a, {
      method: 'GET',
      path: `/Users?filter=${encodeURIComponent('userName eq "only-in-b@example.com"')}`,
    });
    expect(list.json()).toMatchObject({ totalResults: 0 });
    expect((await svc.storage.users.get(inB.id))?.status).toBe('active');
  });

  it('refuses a revoked token, and a wrong secret is throttled per token and address', async () => {
    const c = await scimTenant(svc);
    expect((await scim(svc.app, c, { method: 'GET', path: '/Users' })).statusCode).toBe(200);
    await svc.storage.scim.revokeToken(c.tenant.id, c.tokenId, svc.clock.now());
    expectError(await scim(svc.app, c, { method: 'GET', path: '/Users' }), 401);

    const d = await scimTenant(svc);
    const wrong = `${d.bearer.slice(0, -4)}AAAA`;
    const from = (address: string, bearer: string) =>
      svc.app.inject({
        method: 'GET',
        url: `/scim/v2/${d.tenant.id}/Users`,
        remoteAddress: address,
        headers: { authorization: `Bearer ${bearer}` },
      });
    for (let i = 0; i < 5; i += 1) expectError(await from('192.0.2.7', wrong), 401);
    const delayed = await from('192.0.2.7', wrong);
    expectError(delayed, 429);
    expect(Number(delayed.headers['retry-after'])).toBeGreaterThan(0);
    // The owner, from its own address, is not delayed by someone guessing elsewhere.
    expect((await from('198.51.100.1', d.bearer)).statusCode).toBe(200);
  });
});

describe('SCIM errors', () => {
  it('answers malformed requests in the error schema, never 500', async () => {
    const bad = await svc.app.inject({
      method: 'POST',
      url: `/scim/v2/${a.tenant.id}/Users`,
      headers: { authorization: `Bearer ${a.bearer}`, 'content-type': 'application/scim+json' },
      payload: '{"schemas": [',
    });
    expectError(bad, 400, 'invalidSyntax');
    const form = await svc.app.inject({
      method: 'POST',
      url: `/scim/v2/${a.tenant.id}/Users`,
      headers: { authorization: `Bearer ${a.bearer}`, 'content-type': 'text/plain' },
      payload: 'userName=x',
    });
    expectError(form, 415);
    expectError(await newUser(a, ''), 400, 'invalidValue');
    expectError(
      await scim(svc.app, a, { method: 'POST', path: '/Users', body: { userName: 'no-schemas' } }),
      400,
      'invalidSyntax',
    );
    expectError(
      await scim(svc.app, a, { method: 'GET', path: `/Users?filter=${encodeURIComponent('userName eq')}` }),
      400,
      'invalidFilter',
    );
    expectError(
      await scim(svc.app, a, { method: 'GET', path: `/Users?filter=${encodeURIComponent('title co "x"')}` }),
      400,
      'invalidFilter',
    );
    expectError(
      await scim(svc.app, a, { method: 'GET', path: '/Users?startIndex=one' }),
      400,
      'invalidValue',
    );
    expectError(await scim(svc.app, a, { method: 'GET', path: '/Users/no-such-user' }), 404);
    expectError(await scim(svc.app, a, { method: 'GET', path: '/Elsewhere' }), 404);
    const notAllowed = await scim(svc.app, a, { method: 'DELETE', path: '/Users' });
    expectError(notAllowed, 405);
    expect(notAllowed.headers['allow']).toBe('GET, POST, HEAD');
    const created = (await newUser(a, 'patch-me@example.com')).json() as { id: string };
    expectError(
      await scim(svc.app, a, { method: 'PATCH', path: `/Users/${created.id}`, body: { Operations: [] } }),
      400,
      'invalidSyntax',
    );
    expectError(
      await scim(svc.app, a, {
        method: 'PATCH',
        path: `/Users/${created.id}`,
        body: { schemas: [PATCH], Operations: [{ op: 'Remove' }] },
      }),
      400,
      'noTarget',
    );
    expectError(
      await scim(svc.app, a, {
        method: 'PATCH',
        path: `/Users/${created.id}`,
        body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] },
      }),
      400,
      'invalidValue',
    );
    expectError(
      await scim(svc.app, a, {
        method: 'PUT',
        path: `/Users/${created.id}`,
        headers: { 'if-match': 'W/"stale"' },
        body: { schemas: [USER], userName: 'patch-me@example.com' },
      }),
      412,
      'invalidVers',
    );
  });

  it('answers 409 uniqueness for a taken userName or group displayName', async () => {
    expect((await newUser(a, 'Taken@Example.com')).statusCode).toBe(201);
    expectError(await newUser(a, 'taken@example.com'), 409, 'uniqueness');
    const other = (await newUser(a, 'other@example.com')).json() as { id: string };
    expectError(
      await scim(svc.app, a, {
        method: 'PUT',
        path: `/Users/${other.id}`,
        body: { schemas: [USER], userName: 'TAKEN@example.com' },
      }),
      409,
      'uniqueness',
    );
    const group = { schemas: [GROUP], displayName: 'Support' };
    expect((await scim(svc.app, a, { method: 'POST', path: '/Groups', body: group })).statusCode).toBe(201);
    expectError(
      await scim(svc.app, a, { method: 'POST', path: '/Groups', body: { ...group, displayName: 'support' } }),
      409,
      'uniqueness',
    );
    // Another tenant may use the same names.
    expect((await newUser(b, 'taken@example.com')).statusCode).toBe(201);
  });

  it('answers 503 with Retry-After when the database is down', async () => {
    failUsers = true;
    try {
      const res = await scim(svc.app, a, { method: 'GET', path: '/Users' });
      expectError(res, 503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).not.toContain('database down');
    } finally {
      failUsers = false;
    }
  });
});

describe('SCIM deactivation', () => {
  it("active: false ends the user's sessions at once and reaches the revocation feed", async () => {
    const created = (await newUser(a, 'leaver@example.com')).json() as { id: string };
    const user = await svc.storage.users.get(created.id);
    if (!user) throw new Error('no user');
    const session = make.session(svc.fixture.app, user, { createdAt: svc.clock.now() });
    await svc.storage.sessions.create(session, make.refreshToken(session.id, { createdAt: svc.clock.now() }));
    const before = svc.clock.now();
    const res = await scim(svc.app, a, {
      method: 'PATCH',
      path: `/Users/${created.id}`,
      body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: false }] },
    });
    expect(res.statusCode).toBe(200);
    expect((await svc.storage.users.get(created.id))?.status).toBe('inactive');
    expect((await svc.storage.sessions.get(session.id))?.revokedAt).not.toBeNull();
    const events = await svc.storage.revocations.since(new Date(before.getTime() - 1));
    expect(events).toContainEqual(expect.objectContaining({ kind: 'sub', value: `user:${created.id}` }));
  });

  it('DELETE deactivates the user, frees its userName and answers 404 afterwards', async () => {
    const created = (await newUser(a, 'gone@example.com')).json() as { id: string };
    expect((await scim(svc.app, a, { method: 'DELETE', path: `/Users/${created.id}` })).statusCode).toBe(204);
    expect((await svc.storage.users.get(created.id))?.status).toBe('inactive');
    expectError(await scim(svc.app, a, { method: 'GET', path: `/Users/${created.id}` }), 404);
    expectError(await scim(svc.app, a, { method: 'DELETE', path: `/Users/${created.id}` }), 404);
    const again = await newUser(a, 'gone@example.com');
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(created.id);
  });
});

describe('SCIM discovery', () => {
  it('describes itself: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const config = await scim(svc.app, a, { method: 'GET', path: '/ServiceProviderConfig' });
    expect(config.json()).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      bulk: { supported: false },
    });
    const types = await scim(svc.app, a, { method: 'GET', path: '/ResourceTypes' });
    expect(types.json()).toMatchObject({ totalResults: 2, Resources: [{ id: 'User' }, { id: 'Group' }] });
    const user = await scim(svc.app, a, { method: 'GET', path: `/Schemas/${USER}` });
    expect(user.json()).toMatchObject({
      id: USER,
      attributes: expect.arrayContaining([expect.objectContaining({ name: 'userName' })]),
    });
    expectError(await scim(svc.app, a, { method: 'GET', path: '/Schemas/urn:nope' }), 404);
  });
});
