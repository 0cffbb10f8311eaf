// Audiences (RFC 8707): the admin API is the resource `<issuer>/admin/v1` and accepts only tokens
// whose `aud` names it; the regional APIs' audience refuses those. `resource` is checked at the
// authorization and token endpoints (absolute, no fragment, served here, allowed to the app).
import { createVerifier, type JwksDocument } from '@cxauth/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ADMIN_APP, actor, call } from './support/admin.js';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
  signInUser,
} from './support/sign-in.js';

const REGIONAL = 'https://api.cxauth.test';

let svc: TestService;
let admin: string;
let operator: Actor;

beforeAll(async () => {
  svc = await startTestService({ application: ADMIN_APP, env: { CXAUTH_AUDIENCE: REGIONAL } });
  admin = `${svc.config.issuer}/admin/v1`;
  operator = await actor(svc, svc.fixture.tenant, { operator: true });
});
afterAll(() => svc.close());

/** A verifier as a regional API configures it: this issuer, the shared audience. */
async function regionalVerifier() {
  const jwks = (await svc.app.inject({ method: 'GET', url: '/auth/jwks' })).json() as JwksDocument;
  return createVerifier({ issuer: svc.config.issuer, audience: REGIONAL, jwks: () => jwks });
}

const password = (
  o: Record<string, string>,
  app = { clientId: svc.fixture.clientId, clientSecret: svc.fixture.clientSecret },
) =>
  tokenRequest(
    svc.app,
    {
      grant_type: 'password',
      username: svc.fixture.accessKeyId,
      password: svc.fixture.accessKeySecret,
      ...o,
    },
    { authorization: basic(app.clientId, app.clientSecret) },
  );

describe('the admin API as its own resource', () => {
  it('gives an admin-scoped token the admin audience only, which the regional API refuses', async () => {
    const res = await password({ scope: 'openid admin' });
    expect(res.statusCode).toBe(200);
    const token = res.json().access_token as string;
    expect(claimsOf(token)['aud']).toBe(admin);
    await expect((await regionalVerifier()).verify(token)).rejects.toMatchObject({
      code: 'audience_invalid',
    });
    // Userinfo serves every token this issuer issued.
    const info = await svc.app.inject({
      method: 'GET',
      url: '/auth/userinfo',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(info.statusCode).toBe(200);
    const plain = (await password({ scope: 'openid' })).json().access_token as string;
    expect(claimsOf(plain)['aud']).toBe(REGIONAL);
    expect((await (await regionalVerifier()).verify(plain)).sub).toBe(`user:${svc.fixture.user.id}`);
  });

  it('refuses at /admin/v1 a regional-audience token, even with the admin scope and an operator', async () => {
    expect((await call(svc, operator, 'GET', '/signing-keys')).statusCode).toBe(200);
    const key = await svc.addAccessKey(operator.user);
    const res = await tokenRequest(
      svc.app,
      {
        grant_type: 'password',
        username: key.id,
        password: key.secret,
        scope: 'openid admin',
        resource: REGIONAL,
      },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    expect(res.statusCode).toBe(200);
    const token = res.json().access_token as string;
    expect(claimsOf(token)).toMatchObject({ aud: REGIONAL, scope: 'openid admin' });
    const refused = await call(svc, { user: operator.user, token }, 'GET', '/signing-keys');
    expect(refused.statusCode).toBe(401);
    expect(
      (
        await call(svc, { user: operator.user, token }, 'PATCH', `/users/${operator.user.id}`, {
          operator: true,
        })
      ).statusCode,
    ).toBe(401);
  });

  it('answers a malformed, unknown or unallowed resource with invalid_target', async () => {
    for (const resource of [
      'relative/path',
      'https://x.example/#frag',
      'https://elsewhere.example/api',
      'urn:x',
    ]) {
      const res = await password({ scope: 'openid', resource });
      expect(res.statusCode, resource).toBe(400);
      expect(res.json().error, resource).toBe('invalid_target');
    }
    const other = await svc.addApplication({});
    const res = await password({ scope: 'openid', resource: admin }, other);
    expect(res.json().error).toBe('invalid_target');
  });

  it('carries resource from /auth/authorize to the code exchange, and refuses another one there', async () => {
    const firstParty = await publicApp(svc, { scopes: ['openid', 'admin'] });
    const thirdParty = await publicApp(svc, { firstParty: false });
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const p = pkce();
    const page = await browser.get(
      `/auth/authorize?${authorizeQuery(firstParty, p, { scope: 'openid', resource: admin })}`,
    );
    const res = await browser.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: user.email,
      password: PASSWORD,
    });
    const code = redirectParams(res).get('code') as string;
    const exchange = (o: Record<string, string>) =>
      tokenRequest(svc.app, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: p.verifier,
        client_id: firstParty.clientId,
        ...o,
      });
    expect((await exchange({ resource: REGIONAL })).json().error).toBe('invalid_target');
    const second = await browser.get(
      `/auth/authorize?${authorizeQuery(firstParty, p, { scope: 'openid', resource: admin })}`,
    );
    const ok = await tokenRequest(svc.app, {
      grant_type: 'authorization_code',
      code: redirectParams(second).get('code') as string,
      redirect_uri: REDIRECT,
      code_verifier: p.verifier,
      client_id: firstParty.clientId,
    });
    expect(claimsOf(ok.json().access_token)['aud']).toBe(admin);
    // A third-party app asking for the admin API is sent back with invalid_target, no page.
    const denied = await browser.get(
      `/auth/authorize?${authorizeQuery(thirdParty, pkce(), { resource: admin })}`,
    );
    expect(denied.statusCode).toBe(302);
    expect(redirectParams(denied).get('error')).toBe('invalid_target');
  });
});
