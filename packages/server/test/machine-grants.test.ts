// client_credentials and token exchange (RFC 8693) on SQLite and PostgreSQL: every grant per
// application type, the application subject accepted by a regional API and refused by userinfo, and
// each refusal of a subject token (another tenant, a revoked session, a deactivated key, user or
// application, the wrong token type, an id_token).
import { createRegionalServer } from '@cxauth/regional';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { TOKEN_EXCHANGE } from '../src/domain/app-types.js';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const ALL = ['authorization_code', 'password', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE];

describe.each(dialects)('machine grants (%s)', (dialect) => {
  let svc: TestService;
  /** A backend bound to the fixture's tenant, allowed client_credentials and the admin scope. */
  let robot: { clientId: string; clientSecret: string };
  /** A backend for every tenant, allowed token exchange. */
  let exchanger: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    const port = await freePort();
    svc = await startTestService({ dialect, issuer: `http://127.0.0.1:${port}` });
    await svc.app.listen({ host: '127.0.0.1', port });
    robot = await svc.addApplication({
      tenantId: svc.fixture.tenant.id,
      grantTypes: ['client_credentials'],
      scopes: ['openid', 'admin'],
      firstParty: true,
    });
    exchanger = await svc.addApplication({ grantTypes: [TOKEN_EXCHANGE] });
  });
  afterAll(async () => svc?.close());

  const as = (c: { clientId: string; clientSecret: string }) => ({
    authorization: basic(c.clientId, c.clientSecret),
  });
  const cc = (c = robot, extra: Record<string, string> = {}) =>
    tokenRequest(svc.app, { grant_type: 'client_credentials', ...extra }, as(c));
  async function userToken(scope = 'openid profile'): Promise<{ access_token: string; id_token: string }> {
    const res = await tokenRequest(
      svc.app,
      {
        grant_type: 'password',
        username: svc.fixture.accessKeyId,
        password: svc.fixture.accessKeySecret,
        scope,
      },
      as(svc.fixture),
    );
    expect(res.statusCode).toBe(200);
    return res.json();
  }
  const exchange = (subject: string, extra: Record<string, string> = {}, c = exchanger) =>
    tokenRequest(
      svc.app,
      { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: AT, ...extra },
      as(c),
    );

  describe('client_credentials', () => {
    it("issues an app-subject token with the tenant's claims, no refresh token, no id_token", async () => {
      const res = await cc();
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json();
      expect(body).not.toHaveProperty('refresh_token');
      expect(body).not.toHaveProperty('id_token');
      expect(body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: '',
        issued_token_type: AT,
      });
      const claims = claimsOf(body.access_token);
      expect(claims).toMatchObject({
        sub: `app:${robot.clientId}`,
        client_id: robot.clientId,
        tenantId: svc.fixture.tenant.id,
        tenant: svc.fixture.tenant.name,
        icBUId: svc.fixture.tenant.businessUnitId,
        area: svc.fixture.tenant.area,
      });
      for (const userClaim of ['sid', 'role', 'name', 'given_name', 'family_name']) {
        expect(claims).not.toHaveProperty(userClaim);
      }
    });

    it('grants the scopes the application may have that are not about a user', async () => {
      expect((await cc(robot, { scope: 'admin' })).json().scope).toBe('admin');
      expect((await cc(robot, { scope: 'openid' })).json().error).toBe('invalid_scope');
    });

    it('is accepted by a regional API and refused by userinfo', async () => {
      const token = (await cc()).json().access_token as string;
      const regional = await createRegionalServer({ area: 'na1', issuer: svc.config.issuer });
      try {
        const res = await regional.inject({
          url: '/inContactAPI/services/v25.0/server-time',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().ServerTime).toMatch(/Z$/);
      } finally {
        await regional.close();
      }
      const info = await svc.app.inject({
        url: '/auth/userinfo',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(info.statusCode).toBe(401);
      expect(info.json().error).toBe('invalid_token');
    });

    it("is refused once the application's tenant is deactivated", async () => {
      const tenant = await svc.addTenant();
      const c = await svc.addApplication({ tenantId: tenant.id, grantTypes: ['client_credentials'] });
      expect((await cc(c)).statusCode).toBe(200);
      await svc.storage.tenants.setStatus(tenant.id, 'inactive', new Date());
      expect((await cc(c)).json().error).toBe('invalid_grant');
    });
  });

  describe('every grant per application type', () => {
    // What each type may be allowed (domain/app-types.ts); a row listing every grant is still held
    // to its type.
    const cases = [
      {
        type: 'backend',
        tenantId: true,
        allowed: ['password', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE],
      },
      { type: 'backend', tenantId: false, allowed: ['password', 'refresh_token', TOKEN_EXCHANGE] },
      {
        type: 'confidential',
        tenantId: false,
        allowed: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
      },
    ] as const;
    for (const { type, tenantId, allowed } of cases) {
      it(`${type}${tenantId ? ' bound to a tenant' : ''}: unauthorized_client for the others`, async () => {
        const c = await svc.addApplication({
          type,
          tenantId: tenantId ? svc.fixture.tenant.id : null,
          grantTypes: ALL as never,
        });
        for (const grant of ALL) {
          const res = await tokenRequest(svc.app, { grant_type: grant }, as(c));
          const error = res.json().error as string;
          if ((allowed as readonly string[]).includes(grant))
            expect(error, grant).not.toBe('unauthorized_client');
          else expect(error, grant).toBe('unauthorized_client');
        }
      });
    }

    it('public: client_credentials, password and token exchange are unauthorized_client', async () => {
      const { clientId } = await svc.addApplication({
        type: 'public',
        secretHash: null,
        grantTypes: ALL as never,
      });
      for (const grant of ['password', 'client_credentials', TOKEN_EXCHANGE]) {
        const res = await tokenRequest(svc.app, { grant_type: grant, client_id: clientId });
        expect(res.json().error, grant).toBe('unauthorized_client');
      }
      const refresh = await tokenRequest(svc.app, { grant_type: 'refresh_token', client_id: clientId });
      expect(refresh.json().error).toBe('invalid_request');
    });

    it('a grant the registration does not list is unauthorized_client', async () => {
      const res = await tokenRequest(svc.app, { grant_type: 'client_credentials' }, as(svc.fixture));
      expect(res.json().error).toBe('unauthorized_client');
    });
  });

  describe('token exchange', () => {
    it('issues an access token for the calling application with the same subject and session', async () => {
      const subject = await userToken('openid profile');
      const res = await exchange(subject.access_token);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ issued_token_type: AT, token_type: 'Bearer', scope: 'openid profile' });
      expect(body).not.toHaveProperty('refresh_token');
      expect(body).not.toHaveProperty('id_token');
      const before = claimsOf(subject.access_token);
      const after = claimsOf(body.access_token);
      expect(after).toMatchObject({ sub: before['sub'], sid: before['sid'], tenantId: before['tenantId'] });
      expect(after['client_id']).toBe(exchanger.clientId);
      // The exchanged token works wherever the first did, userinfo included.
      const info = await svc.app.inject({
        url: '/auth/userinfo',
        headers: { authorization: `Bearer ${body.access_token}` },
      });
      expect(info.statusCode).toBe(200);
    });

    it('narrows the scope on request and refuses a wider one', async () => {
      const subject = await userToken('openid profile');
      expect((await exchange(subject.access_token, { scope: 'profile' })).json().scope).toBe('profile');
      expect((await exchange(subject.access_token, { scope: 'email' })).json().error).toBe('invalid_scope');
    });

    it('honours only its own audience (invalid_target) and only access tokens', async () => {
      const { access_token } = await userToken();
      expect((await exchange(access_token, { audience: svc.config.tokens.audience })).statusCode).toBe(200);
      expect((await exchange(access_token, { audience: 'https://other.example' })).json().error).toBe(
        'invalid_target',
      );
      expect((await exchange(access_token, { resource: 'not a uri' })).json().error).toBe('invalid_target');
      expect((await exchange(access_token, { resource: 'https://other.example/api' })).json().error).toBe(
        'invalid_target',
      );
      const idType = await exchange(access_token, {
        requested_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      });
      expect(idType.json().error).toBe('invalid_request');
      const wrongType = await exchange(access_token, {
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      });
      expect(wrongType.json().error).toBe('invalid_request');
      expect(
        (await exchange(access_token, { actor_token: access_token, actor_token_type: AT })).json().error,
      ).toBe('invalid_request');
      const missing = await tokenRequest(
        svc.app,
        { grant_type: TOKEN_EXCHANGE, subject_token_type: AT },
        as(exchanger),
      );
      expect(missing.json().error).toBe('invalid_request');
    });

    it('refuses an id_token, a garbage token and an application token as the subject', async () => {
      const { id_token } = await userToken();
      expect((await exchange(id_token)).json().error).toBe('invalid_request');
      expect((await exchange('a.b.c')).json().error).toBe('invalid_request');
      const appToken = (await cc()).json().access_token as string;
      expect((await exchange(appToken)).json().error).toBe('invalid_request');
    });

    it('refuses a subject token of another tenant to a tenant-bound application', async () => {
      const bound = await svc.addApplication({
        tenantId: (await svc.addTenant()).id,
        grantTypes: [TOKEN_EXCHANGE],
      });
      const { access_token } = await userToken();
      const res = await exchange(access_token, {}, bound);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      const own = await svc.addApplication({ tenantId: svc.fixture.tenant.id, grantTypes: [TOKEN_EXCHANGE] });
      expect((await exchange(access_token, {}, own)).statusCode).toBe(200);
    });

    it('refuses a subject token whose session was revoked, and ends exchanged tokens with it', async () => {
      const { access_token } = await userToken();
      const exchanged = (await exchange(access_token)).json().access_token as string;
      await svc.storage.sessions.revoke(claimsOf(access_token)['sid'] as string, 'test', new Date());
      expect((await exchange(access_token)).json().error).toBe('invalid_request');
      const info = await svc.app.inject({
        url: '/auth/userinfo',
        headers: { authorization: `Bearer ${exchanged}` },
      });
      expect(info.statusCode).toBe(401);
    });

    it("never gives an app that is not first-party an operator's token, nor a user-facing one what its user did not allow", async () => {
      const operator = await svc.addUser(svc.fixture.tenant, { operator: true });
      const opKey = await svc.addAccessKey(operator);
      const opToken = (
        await tokenRequest(
          svc.app,
          { grant_type: 'password', username: opKey.id, password: opKey.secret },
          as(svc.fixture),
        )
      ).json().access_token as string;
      expect((await exchange(opToken)).json().error).toBe('invalid_request');
      const trusted = await svc.addApplication({ grantTypes: [TOKEN_EXCHANGE], firstParty: true });
      expect((await exchange(opToken, {}, trusted)).statusCode).toBe(200);

      // A confidential app a tenant's Administrator registered: a consent page exists for it.
      const portal = await svc.addApplication({
        type: 'confidential',
        tenantId: svc.fixture.tenant.id,
        grantTypes: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
      });
      const { access_token } = await userToken('openid profile');
      const refused = await exchange(access_token, {}, portal);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toBe('invalid_grant');
      const now = new Date();
      await svc.storage.consents.put({
        userId: svc.fixture.user.id,
        clientId: portal.clientId,
        scopes: ['openid'],
        createdAt: now,
        updatedAt: now,
      });
      expect((await exchange(access_token, {}, portal)).json().error).toBe('invalid_grant');
      const narrowed = await exchange(access_token, { scope: 'openid' }, portal);
      expect(narrowed.statusCode).toBe(200);
      expect(claimsOf(narrowed.json().access_token)['client_id']).toBe(portal.clientId);
    });

    it('lets the exchanging app revoke its token alone: the source app stays signed in, and one event is published', async () => {
      const { access_token } = await userToken();
      const exchanged = (await exchange(access_token)).json().access_token as string;
      const revoke = () =>
        svc.app.inject({
          method: 'POST',
          url: '/auth/revoke',
          headers: { ...as(exchanger), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token: exchanged }).toString(),
        });
      // The service's own clock stamps the events (frozen in this file, not the wall clock).
      const since = new Date(svc.clock.now().getTime() - 5_000);
      expect((await revoke()).statusCode).toBe(200);
      expect((await revoke()).statusCode).toBe(200);
      const userinfo = (token: string) =>
        svc.app.inject({ url: '/auth/userinfo', headers: { authorization: `Bearer ${token}` } });
      expect((await userinfo(exchanged)).statusCode).toBe(401);
      expect((await userinfo(access_token)).statusCode).toBe(200);
      const jti = claimsOf(exchanged)['jti'];
      const events = (await svc.storage.revocations.since(since)).filter(
        (e) => e.kind === 'jti' && e.value === jti,
      );
      expect(events).toHaveLength(1);
      const sid = claimsOf(access_token)['sid'] as string;
      expect((await svc.storage.sessions.get(sid))?.revokedAt).toBeNull();
    });

    it('refuses a subject token once its access key, user or application is deactivated', async () => {
      const user = await svc.addUser(svc.fixture.tenant);
      const key = await svc.addAccessKey(user);
      const source = await svc.addApplication();
      const mint = async () => {
        const res = await tokenRequest(
          svc.app,
          { grant_type: 'password', username: key.id, password: key.secret },
          as(source),
        );
        return res.json().access_token as string;
      };
      const at = new Date();
      let token = await mint();
      expect((await exchange(token)).statusCode).toBe(200);
      await svc.storage.accessKeys.setStatus(key.id, 'inactive', at);
      expect((await exchange(token)).json().error).toBe('invalid_request');
      await svc.storage.accessKeys.setStatus(key.id, 'active', at);
      token = await mint();
      await svc.storage.users.setStatus(user.id, 'inactive', at);
      expect((await exchange(token)).json().error).toBe('invalid_request');
      await svc.storage.users.setStatus(user.id, 'active', at);
      token = await mint();
      expect((await exchange(token)).statusCode).toBe(200);
      await svc.storage.applications.setStatus(source.clientId, 'inactive', at);
      expect((await exchange(token)).json().error).toBe('invalid_request');
    });
  });
});
