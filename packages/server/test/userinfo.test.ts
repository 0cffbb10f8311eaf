// GET|POST /auth/userinfo: the profile of a bearer access token, and the RFC 6750 errors.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwsSigner } from '../src/keys/signer.js';
import { basic, FORM, tokenRequest } from './support/http.js';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';

let svc: TestService;
let accessToken: string;
beforeAll(async () => {
  svc = await startTestService();
  accessToken = await login('openid');
});
afterAll(async () => svc?.close());

async function login(
  scope: string,
  key = { id: svc.fixture.accessKeyId, secret: svc.fixture.accessKeySecret },
) {
  const res = await tokenRequest(
    svc.app,
    { grant_type: 'password', username: key.id, password: key.secret, scope },
    { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
  );
  expect(res.statusCode).toBe(200);
  return res.json().access_token as string;
}

const userinfo = (headers: Record<string, string>, method: 'GET' | 'POST' = 'GET', payload?: string) =>
  svc.app.inject({ method, url: '/auth/userinfo', headers, ...(payload === undefined ? {} : { payload }) });

describe('userinfo', () => {
  it('answers the profile claims of the token subject, not cached', async () => {
    const res = await userinfo({ authorization: `Bearer ${accessToken}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      sub: `user:${svc.fixture.user.id}`,
      tenantId: svc.fixture.tenant.id,
      name: 'user1@example.com',
      given_name: 'first',
      family_name: 'last',
    });
  });

  it('adds email with the email scope', async () => {
    const res = await userinfo({ authorization: `Bearer ${await login('openid email')}` });
    expect(res.json().email).toBe('user1@example.com');
  });

  it('accepts POST, the scheme in any case, and the token as a form field', async () => {
    expect((await userinfo({ authorization: `bearer ${accessToken}` }, 'POST')).statusCode).toBe(200);
    const viaForm = await userinfo({ 'content-type': FORM }, 'POST', `access_token=${accessToken}`);
    expect(viaForm.statusCode).toBe(200);
  });

  it('asks for a token without an error code when none is sent (RFC 6750 §3.1)', async () => {
    const res = await userinfo({});
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="cxauth"');
  });

  it.each([
    ['garbage', 'Bearer not-a-jwt'],
    ['truncated', () => `Bearer ${accessToken.slice(0, -4)}`],
    ['tampered payload', () => `Bearer ${tamper(accessToken)}`],
    ['empty', 'Bearer '],
  ])('answers a %s token with 401 and error="invalid_token"', async (_label, header) => {
    const res = await userinfo({ authorization: typeof header === 'function' ? header() : header });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="cxauth", error="invalid_token"/);
    expect(res.json().error).toBe('invalid_token');
  });

  it('refuses an expired token', async () => {
    const token = await login('openid');
    svc.clock.advance(3600 + svc.config.tokens.clockTolerance + 1);
    try {
      const res = await userinfo({ authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(401);
      expect(res.json().error_description).toBe('The access token expired');
    } finally {
      svc.clock.advance(-(3600 + svc.config.tokens.clockTolerance + 1));
    }
  });

  it('refuses a token of another key, issuer or type', async () => {
    const stranger = new JwsSigner({
      kid: svc.keys.active.kid,
      alg: 'RS256',
      privateKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    });
    const ours = new JwsSigner(svc.keys.active);
    const claims = {
      iss: TEST_ISSUER,
      aud: 'cxauth-api',
      sub: `user:${svc.fixture.user.id}`,
      scope: 'openid',
    };
    const exp = svc.clock.epoch + 60;
    const cases = [
      await stranger.sign('at+jwt', { ...claims, exp }),
      await ours.sign('at+jwt', { ...claims, iss: 'https://evil.example', exp }),
      await ours.sign('at+jwt', { ...claims, aud: 'other', exp }),
      await ours.sign('JWT', { ...claims, exp }),
    ];
    for (const token of cases) {
      const res = await userinfo({ authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_token');
    }
  });

  it('refuses a token without openid: 403 insufficient_scope', async () => {
    const res = await userinfo({ authorization: `Bearer ${await login('profile')}` });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('insufficient_scope');
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('stops answering for a deactivated user', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    const key = await svc.addAccessKey(user);
    const token = await login('openid', key);
    await svc.storage.users.setStatus(user.id, 'inactive', svc.clock.now());
    const res = await userinfo({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_token');
  });

  it('stops answering for a user of a deactivated tenant', async () => {
    const tenant = await svc.addTenant();
    const user = await svc.addUser(tenant);
    const key = await svc.addAccessKey(user);
    const token = await login('openid', key);
    expect((await userinfo({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    await svc.storage.tenants.setStatus(tenant.id, 'inactive', svc.clock.now());
    const res = await userinfo({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_token');
  });

  it('refuses a token sent two ways: invalid_request', async () => {
    const res = await userinfo(
      { authorization: `Bearer ${accessToken}`, 'content-type': FORM },
      'POST',
      `access_token=${accessToken}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it.each([
    ['a JSON body', 'application/json', '{"access_token":"x"}'],
    ['a malformed form', FORM, 'access_token=%E0%A'],
  ])('answers POST with %s: 400 invalid_request', async (_label, type, payload) => {
    const res = await userinfo(
      { authorization: `Bearer ${accessToken}`, 'content-type': type },
      'POST',
      payload,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('answers another scheme with a Bearer challenge', async () => {
    const res = await userinfo({ authorization: 'Basic Zm9vOmJhcg==' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="cxauth"');
  });

  it('answers PUT with 405', async () => {
    const res = await userinfo({}, 'PUT' as 'GET');
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('GET, POST, OPTIONS, HEAD');
  });
});

function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.sub = 'user:someone-else';
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}
