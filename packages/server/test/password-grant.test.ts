// grant_type=password with access keys: the success response and its tokens, and every refusal.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, claimsOf, FORM, form, headerOf, tokenRequest } from './support/http.js';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.close());

const password = (s: TestService, extra: Record<string, string> = {}) => ({
  grant_type: 'password',
  username: s.fixture.accessKeyId,
  password: s.fixture.accessKeySecret,
  ...extra,
});
const auth = (s: TestService) => ({ authorization: basic(s.fixture.clientId, s.fixture.clientSecret) });

describe('password grant: success', () => {
  it('answers the token response of docs/design.md with no-store headers', async () => {
    const res = await tokenRequest(svc.app, password(svc), auth(svc));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(
      [
        'access_token',
        'expires_in',
        'id_token',
        'issued_token_type',
        'refresh_token',
        'scope',
        'token_type',
      ].sort(),
    );
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'openid',
    });
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs an RS256 at+jwt access token with every claim of the token format', async () => {
    const body = (await tokenRequest(svc.app, password(svc), auth(svc))).json();
    const { fixture, clock } = svc;
    expect(headerOf(body.access_token)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: svc.keys.active.kid });
    const claims = claimsOf(body.access_token);
    expect(claims).toEqual({
      iss: TEST_ISSUER,
      sub: `user:${fixture.user.id}`,
      aud: 'cxauth-api',
      client_id: fixture.clientId,
      iat: clock.epoch,
      exp: clock.epoch + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'openid',
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenantId: fixture.tenant.id,
      tenant: fixture.tenant.name,
      icBUId: fixture.tenant.businessUnitId,
      icClusterId: fixture.tenant.clusterId,
      area: 'na1',
      role: {
        id: fixture.user.role.id,
        legacyId: 'Administrator',
        lastUpdateTime: 1614225845000,
        secondaryRoles: [{ id: fixture.user.role.secondaryRoles[0]?.id, lastUpdateTime: 1614225820000 }],
      },
      name: 'user1@example.com',
      given_name: 'first',
      family_name: 'last',
    });
    const [h, p, s] = (body.access_token as string).split('.') as [string, string, string];
    const publicKey = crypto.createPublicKey(svc.keys.active.privateKey);
    expect(crypto.verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(
      true,
    );
  });

  it('signs an id_token for the client with at_hash and auth_time', async () => {
    const body = (await tokenRequest(svc.app, password(svc), auth(svc))).json();
    expect(headerOf(body.id_token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: svc.keys.active.kid });
    const claims = claimsOf(body.id_token);
    const digest = crypto.createHash('sha256').update(body.access_token).digest();
    expect(claims).toEqual({
      iss: TEST_ISSUER,
      sub: `user:${svc.fixture.user.id}`,
      aud: svc.fixture.clientId,
      iat: svc.clock.epoch,
      exp: svc.clock.epoch + 3600,
      auth_time: svc.clock.epoch,
      at_hash: digest.subarray(0, 16).toString('base64url'),
      sid: claimsOf(body.access_token)['sid'],
      tenantId: svc.fixture.tenant.id,
      name: 'user1@example.com',
      // OIDC Core §5.1: the e-mail in `name` was never shown to be the person's (docs/people.md).
      email_verified: false,
      given_name: 'first',
      family_name: 'last',
    });
  });

  it('accepts client_secret_post', async () => {
    const res = await tokenRequest(
      svc.app,
      password(svc, { client_id: svc.fixture.clientId, client_secret: svc.fixture.clientSecret }),
    );
    expect(res.statusCode).toBe(200);
  });

  it('grants a requested scope and leaves out the id_token without openid', async () => {
    const res = await tokenRequest(svc.app, password(svc, { scope: 'profile' }), auth(svc));
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('profile');
    expect(res.json().id_token).toBeUndefined();
    expect(claimsOf(res.json().access_token).scope).toBe('profile');
  });

  it('stores the refresh token only as its hash, in a session of the access key', async () => {
    const body = (await tokenRequest(svc.app, password(svc), auth(svc))).json();
    const found = await svc.storage.sessions.findRefreshToken(svc.hasher.hash(body.refresh_token));
    expect(found?.session).toMatchObject({
      clientId: svc.fixture.clientId,
      userId: svc.fixture.user.id,
      accessKeyId: svc.fixture.accessKeyId,
      scope: 'openid',
    });
  });
});

describe('password grant: refusals', () => {
  const invalidGrant = async (params: Record<string, string>, headers = auth(svc)) => {
    const res = await tokenRequest(svc.app, params, headers);
    expect(res.statusCode).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.json();
  };

  it('answers an unknown key and a wrong secret with the same invalid_grant', async () => {
    const unknown = await invalidGrant(password(svc, { username: 'NOSUCHKEY====' }));
    const wrong = await invalidGrant(password(svc, { password: `${svc.fixture.accessKeySecret}x` }));
    expect(unknown.error).toBe('invalid_grant');
    expect(wrong).toEqual(unknown);
  });

  it.each([
    ['access key', 'key'],
    ['user', 'user'],
    ['tenant', 'tenant'],
  ])('refuses when the %s is inactive, like a wrong secret', async (_label, which) => {
    const tenant = svc.fixture.tenant;
    const user = await svc.addUser(tenant);
    const key = await svc.addAccessKey(user);
    const params = password(svc, { username: key.id, password: key.secret });
    expect((await tokenRequest(svc.app, params, auth(svc))).statusCode).toBe(200);
    const at = svc.clock.now();
    if (which === 'key') await svc.storage.accessKeys.setStatus(key.id, 'inactive', at);
    if (which === 'user') await svc.storage.users.setStatus(user.id, 'inactive', at);
    if (which === 'tenant') await svc.storage.tenants.setStatus(tenant.id, 'inactive', at);
    try {
      // At once: the cached lookup is older than the revision the change wrote (no clock advance).
      const body = await invalidGrant(params);
      expect(body).toEqual({
        error: 'invalid_grant',
        error_description: 'the access key is invalid or inactive',
      });
    } finally {
      await svc.storage.tenants.setStatus(tenant.id, 'active', at);
    }
  });

  it('refuses an inactive application as invalid_client', async () => {
    const extra = await svc.addApplication({ status: 'inactive' });
    const res = await tokenRequest(svc.app, password(svc), {
      authorization: basic(extra.clientId, extra.clientSecret),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('refuses an application that does not allow the password grant: unauthorized_client', async () => {
    const extra = await svc.addApplication({ grantTypes: ['refresh_token'] });
    const res = await tokenRequest(svc.app, password(svc), {
      authorization: basic(extra.clientId, extra.clientSecret),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
  });

  it('serves only its own tenant through a tenant-restricted application', async () => {
    const other = await svc.addApplication({ tenantId: (await svc.addTenant()).id });
    const mine = await svc.addApplication({ tenantId: svc.fixture.tenant.id });
    const refused = await tokenRequest(svc.app, password(svc), {
      authorization: basic(other.clientId, other.clientSecret),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_grant');
    const ok = await tokenRequest(svc.app, password(svc), {
      authorization: basic(mine.clientId, mine.clientSecret),
    });
    expect(ok.statusCode).toBe(200);
  });

  it.each(['username', 'password'])('needs %s: invalid_request', async (name) => {
    const params: Record<string, string> = password(svc);
    delete params[name];
    expect(await invalidGrant(params)).toMatchObject({ error: 'invalid_request' });
  });

  it('treats an empty value as omitted (RFC 6749 §3.1)', async () => {
    expect(await invalidGrant(password(svc, { password: '' }))).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses an unknown scope: invalid_scope', async () => {
    expect(await invalidGrant(password(svc, { scope: 'openid payments' }))).toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('reads credentials that need form encoding', async () => {
    const res = await svc.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': `${FORM}; charset=UTF-8`, ...auth(svc) },
      payload: form(password(svc)),
    });
    expect(res.statusCode).toBe(200);
  });
});
