// openid-client (a certified relying party library) drives the whole code flow against the service
// over a real socket: discovery, the authorization URL with PKCE, the form, the callback with state,
// iss and nonce checks, userinfo, refresh and logout.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { startTestService, type TestService } from './support/service.js';
import { hiddenInputs, PASSWORD, POST_LOGOUT, publicApp, REDIRECT, signInUser } from './support/sign-in.js';

let svc: TestService;
let app: Application;
let issuer: string;

beforeAll(async () => {
  svc = await startTestService({ listen: true });
  issuer = svc.url;
  app = await publicApp(svc);
});
afterAll(() => svc.close());

it('runs the code flow with openid-client', async () => {
  const { user } = await signInUser(svc);
  const config = await oidc.discovery(new URL(issuer), app.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  // The browser part: the page, then the form posted with its cookie.
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const posted = await fetch(`${issuer}/auth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({
      ...hiddenInputs(await page.text()),
      username: user.email,
      password: PASSWORD,
    }),
  });
  expect(posted.status).toBe(302);
  const callback = new URL(posted.headers.get('location') as string);

  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  expect(claims?.sub).toBe(`user:${user.id}`);
  expect(claims?.['amr']).toEqual(['pwd']);
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims?.sub as string);
  expect(info['email']).toBe(user.email);

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
  expect(refreshed.access_token).not.toBe(tokens.access_token);

  // A wrong state is refused by the client before any exchange.
  await expect(
    oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'other' }),
  ).rejects.toThrow();

  const logout = oidc.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token as string,
    post_logout_redirect_uri: POST_LOGOUT,
    state: 'bye',
  });
  const out = await fetch(logout, { redirect: 'manual', headers: { cookie } });
  expect(out.status).toBe(302);
  expect(out.headers.get('location')).toBe(`${POST_LOGOUT}?state=bye`);
  await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token as string)).rejects.toMatchObject({
    error: 'invalid_grant',
  });
});

it('passes strict discovery validation (required members, code, S256, iss parameter)', async () => {
  const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  for (const member of [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'end_session_endpoint',
  ]) {
    expect(typeof doc[member]).toBe('string');
    expect(String(doc[member]).startsWith(issuer)).toBe(true);
  }
  expect(doc['response_types_supported']).toEqual(['code']);
  expect(doc['code_challenge_methods_supported']).toEqual(['S256']);
  expect(doc['subject_types_supported']).toEqual(['public']);
  expect(doc['id_token_signing_alg_values_supported']).toContain('RS256');
  expect(doc['token_endpoint_auth_methods_supported']).toContain('none');
  expect(doc['authorization_response_iss_parameter_supported']).toBe(true);
  expect(doc['display_values_supported']).toEqual(['page', 'popup']);
  expect(doc['claims_supported']).toEqual(expect.arrayContaining(['nonce', 'amr', 'sid', 'auth_time']));
});
