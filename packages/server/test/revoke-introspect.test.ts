// Revocation (RFC 7009) and introspection (RFC 7662) on SQLite and PostgreSQL, section by section:
// client authentication, what ends a session, what stays 200 and changes nothing, and `active` only
// while the token and everything behind it are live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, claimsOf, FORM, form, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('revocation and introspection (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  type Client = { clientId: string; clientSecret: string };
  const auth = (c: Client = svc.fixture) => ({ authorization: basic(c.clientId, c.clientSecret) });
  const post = (url: string, params: Record<string, string>, headers: Record<string, string> = auth()) =>
    svc.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': FORM, ...headers },
      payload: form(params),
    });
  const revoke = (params: Record<string, string>, headers?: Record<string, string>) =>
    post('/auth/revoke', params, headers);
  const introspect = (params: Record<string, string>, headers?: Record<string, string>) =>
    post('/auth/introspect', params, headers);
  async function tokens(
    c: Client = svc.fixture,
    key = { id: svc.fixture.accessKeyId, secret: svc.fixture.accessKeySecret },
  ) {
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid profile' },
      auth(c),
    );
    expect(res.statusCode).toBe(200);
    return res.json() as { access_token: string; refresh_token: string; id_token: string };
  }
  const refresh = (token: string) =>
    tokenRequest(svc.app, { grant_type: 'refresh_token', refresh_token: token }, auth());

  describe('RFC 7009 §2.1: the revocation request', () => {
    it('requires client authentication', async () => {
      const { refresh_token } = await tokens();
      const res = await revoke({ token: refresh_token }, {});
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_client');
      expect((await refresh(refresh_token)).statusCode).toBe(200);
    });

    it('requires the token parameter and the form media type', async () => {
      expect((await revoke({})).json().error).toBe('invalid_request');
      const json = await svc.app.inject({
        method: 'POST',
        url: '/auth/revoke',
        headers: { 'content-type': 'application/json', ...auth() },
        payload: '{"token":"x"}',
      });
      expect(json.statusCode).toBe(400);
      expect(json.json().error).toBe('invalid_request');
    });

    it('a refresh token ends its session: the refresh token and the access token stop working', async () => {
      const t = await tokens();
      const res = await revoke({ token: t.refresh_token, token_type_hint: 'refresh_token' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await refresh(t.refresh_token)).json().error).toBe('invalid_grant');
      expect((await introspect({ token: t.access_token })).json()).toEqual({ active: false });
      const session = await svc.storage.sessions.get(claimsOf(t.access_token)['sid'] as string);
      expect(session?.revokedAt).not.toBeNull();
    });

    it('an access token ends its session, whatever the hint says', async () => {
      const t = await tokens();
      expect((await revoke({ token: t.access_token, token_type_hint: 'refresh_token' })).statusCode).toBe(
        200,
      );
      expect((await refresh(t.refresh_token)).json().error).toBe('invalid_grant');
      const info = await svc.app.inject({
        url: '/auth/userinfo',
        headers: { authorization: `Bearer ${t.access_token}` },
      });
      expect(info.statusCode).toBe(401);
    });

    it('does not revoke a token of another client, and answers 200 all the same', async () => {
      const other = await svc.addApplication();
      const t = await tokens();
      expect((await revoke({ token: t.refresh_token }, auth(other))).statusCode).toBe(200);
      expect((await revoke({ token: t.access_token }, auth(other))).statusCode).toBe(200);
      expect((await refresh(t.refresh_token)).statusCode).toBe(200);
    });
  });

  describe('RFC 7009 §2.2: the revocation response', () => {
    it('answers 200 for unknown, malformed, expired and already revoked tokens, and an unknown hint', async () => {
      for (const token of ['unknown', 'a.b.c', 'x'.repeat(2000)]) {
        expect((await revoke({ token, token_type_hint: 'whatever' })).statusCode).toBe(200);
      }
      const t = await tokens();
      expect((await revoke({ token: t.refresh_token })).statusCode).toBe(200);
      expect((await revoke({ token: t.refresh_token })).statusCode).toBe(200);
      svc.clock.advance(7200);
      expect((await revoke({ token: t.access_token })).statusCode).toBe(200);
      svc.clock.advance(-7200);
    });

    it("revokes an application's own token by its jti: introspection says inactive, other apps cannot", async () => {
      const robot = await svc.addApplication({
        tenantId: svc.fixture.tenant.id,
        grantTypes: ['client_credentials'],
      });
      const grant = async () =>
        (await tokenRequest(svc.app, { grant_type: 'client_credentials' }, auth(robot))).json().access_token;
      const token = await grant();
      const other = await grant();
      // Another application's revocation changes nothing (RFC 7009 §2.1), and says nothing.
      const intruder = await svc.addApplication({
        tenantId: svc.fixture.tenant.id,
        grantTypes: ['client_credentials'],
      });
      expect((await revoke({ token }, auth(intruder))).statusCode).toBe(200);
      expect((await introspect({ token }, auth(robot))).json().active).toBe(true);

      const res = await revoke({ token }, auth(robot));
      expect(res.statusCode).toBe(200);
      expect((await introspect({ token }, auth(robot))).json()).toEqual({ active: false });
      // Only that token: the application's other token still stands.
      expect((await introspect({ token: other }, auth(robot))).json().active).toBe(true);
      // Recorded for the revocation feed by its jti, never in clear on the feed (docs/revocation.md).
      const { jti } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      const events = await svc.storage.revocations.after(0, 1000);
      expect(events.filter((e) => e.kind === 'jti').map((e) => e.value)).toEqual([jti]);
    });
  });

  describe('RFC 7662 §2.1: the introspection request', () => {
    it('requires client authentication with a secret', async () => {
      const { access_token } = await tokens();
      const none = await introspect({ token: access_token }, {});
      expect(none.statusCode).toBe(401);
      const pub = await svc.addApplication({
        type: 'public',
        secretHash: null,
        grantTypes: ['refresh_token'],
      });
      const asPublic = await introspect({ token: access_token, client_id: pub.clientId }, {});
      expect(asPublic.statusCode).toBe(401);
      expect(asPublic.json().error).toBe('invalid_client');
      expect((await introspect({})).json().error).toBe('invalid_request');
    });
  });

  describe('RFC 7662 §2.2: the introspection response', () => {
    it("an active access token: active with the token's claims, no-store", async () => {
      const { access_token } = await tokens();
      const res = await introspect({ token: access_token, token_type_hint: 'access_token' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const c = claimsOf(access_token);
      expect(res.json()).toEqual({
        active: true,
        scope: 'openid profile',
        client_id: svc.fixture.clientId,
        token_type: 'Bearer',
        exp: c['exp'],
        iat: c['iat'],
        sub: `user:${svc.fixture.user.id}`,
        aud: c['aud'],
        iss: svc.config.issuer,
        jti: c['jti'],
        sid: c['sid'],
        tenantId: svc.fixture.tenant.id,
        username: svc.fixture.user.email,
      });
    });

    it('an active refresh token, to its own client only; inactive once used', async () => {
      const t = await tokens();
      const res = (await introspect({ token: t.refresh_token })).json();
      expect(res).toMatchObject({
        active: true,
        client_id: svc.fixture.clientId,
        sub: `user:${svc.fixture.user.id}`,
        sid: claimsOf(t.access_token)['sid'],
        tenantId: svc.fixture.tenant.id,
        scope: 'openid profile',
      });
      expect(res.exp).toBeGreaterThan(res.iat);
      const other = await svc.addApplication();
      expect((await introspect({ token: t.refresh_token }, auth(other))).json()).toEqual({ active: false });
      expect((await refresh(t.refresh_token)).statusCode).toBe(200);
      expect((await introspect({ token: t.refresh_token })).json()).toEqual({ active: false });
    });

    it("an application's own token: active with its subject and tenant, no sid", async () => {
      const robot = await svc.addApplication({
        tenantId: svc.fixture.tenant.id,
        grantTypes: ['client_credentials'],
      });
      const token = (await tokenRequest(svc.app, { grant_type: 'client_credentials' }, auth(robot))).json()
        .access_token;
      const res = (await introspect({ token })).json();
      expect(res).toMatchObject({ active: true, sub: `app:${robot.clientId}`, client_id: robot.clientId });
      expect(res).not.toHaveProperty('sid');
      await svc.storage.applications.setStatus(robot.clientId, 'inactive', new Date());
      expect((await introspect({ token })).json()).toEqual({ active: false });
    });

    it('inactive, and nothing else, once the session, key, user, tenant or app is gone', async () => {
      const at = new Date();
      const user = await svc.addUser(svc.fixture.tenant);
      const key = await svc.addAccessKey(user);
      const t = await tokens(svc.fixture, { id: key.id, secret: key.secret });
      await svc.storage.accessKeys.setStatus(key.id, 'inactive', at);
      expect((await introspect({ token: t.access_token })).json()).toEqual({ active: false });
      expect((await introspect({ token: t.refresh_token })).json()).toEqual({ active: false });
      await svc.storage.accessKeys.setStatus(key.id, 'active', at);
      await svc.storage.users.setStatus(user.id, 'inactive', at);
      expect((await introspect({ token: t.access_token })).json()).toEqual({ active: false });
      await svc.storage.users.setStatus(user.id, 'active', at);
      expect((await introspect({ token: t.access_token })).json().active).toBe(true);
      await svc.storage.sessions.revoke(claimsOf(t.access_token)['sid'] as string, 'test', at);
      expect((await introspect({ token: t.access_token })).json()).toEqual({ active: false });
      // The tenant and the application, on tokens of their own.
      const tenant = await svc.addTenant();
      const tenantUser = await svc.addUser(tenant);
      const tenantKey = await svc.addAccessKey(tenantUser);
      const tt = await tokens(svc.fixture, { id: tenantKey.id, secret: tenantKey.secret });
      await svc.storage.tenants.setStatus(tenant.id, 'inactive', at);
      expect((await introspect({ token: tt.access_token })).json()).toEqual({ active: false });
      const app = await svc.addApplication();
      const at2 = await tokens(app);
      await svc.storage.applications.setStatus(app.clientId, 'inactive', at);
      expect((await introspect({ token: at2.access_token })).json()).toEqual({ active: false });
    });

    it('inactive for an expired token, an id_token, garbage, and a token of another tenant to a tenant-bound caller', async () => {
      const t = await tokens();
      expect((await introspect({ token: t.id_token })).json()).toEqual({ active: false });
      expect((await introspect({ token: 'garbage' })).json()).toEqual({ active: false });
      const bound = await svc.addApplication({ tenantId: (await svc.addTenant()).id });
      expect((await introspect({ token: t.access_token }, auth(bound))).json()).toEqual({ active: false });
      const own = await svc.addApplication({ tenantId: svc.fixture.tenant.id });
      expect((await introspect({ token: t.access_token }, auth(own))).json().active).toBe(true);
      svc.clock.advance(3600 + svc.config.tokens.clockTolerance + 1);
      expect((await introspect({ token: t.access_token })).json()).toEqual({ active: false });
      svc.clock.advance(-(3600 + svc.config.tokens.clockTolerance + 1));
    });
  });

  describe('RFC 7662 §2.3: the error response', () => {
    it('answers 401 invalid_client with a challenge for bad Basic credentials', async () => {
      const res = await introspect({ token: 'x' }, { authorization: basic(svc.fixture.clientId, 'wrong') });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.json().error).toBe('invalid_client');
    });
  });
});
