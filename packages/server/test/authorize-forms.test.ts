// /auth/authorize against malformed input and crossed forms: a code exchanged after logout is
// invalid_grant; each sealed form posted where another belongs is the 400 page; a redirect_uri with
// port 65536 and fuzzed parameters give the 400 page or a redirect, never a 500.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  type Pkce,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
  signInOnPage,
  signInUser,
} from './support/sign-in.js';

let svc: TestService;
let app: Application;
let thirdParty: Application;

beforeAll(async () => {
  svc = await startTestService();
  app = await publicApp(svc);
  thirdParty = await publicApp(svc, { firstParty: false, name: 'Other' });
});
afterAll(() => svc.close());

const signedIn = (target = app) => signInOnPage(svc, target);

const exchange = (code: string, p: Pkce) =>
  tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });

describe('a code dies with its sign-in', () => {
  it('refuses a code minted before logout, or whose sign-in ended otherwise', async () => {
    const { browser, p, res } = await signedIn();
    const code = redirectParams(res).get('code') as string;
    const confirm = await browser.get('/auth/authorize/logout');
    expect((await browser.post('/auth/authorize/logout', hiddenInputs(confirm.body))).statusCode).toBe(200);
    const late = await exchange(code, p);
    expect(late.statusCode).toBe(400);
    expect(late.json().error).toBe('invalid_grant');
    // A sign-in ended any other way (another user signing in, an administrator) takes its codes along.
    const second = await signedIn();
    const code2 = redirectParams(second.res).get('code') as string;
    const token = [...second.browser.cookies].find(([name]) => name.includes('session'))?.[1] as string;
    const signIn = await svc.storage.signIn.signInByToken(svc.hasher.hash(token));
    expect(signIn).toBeDefined();
    await svc.storage.signIn.endSignIn(signIn?.id as string, svc.clock.now());
    expect((await exchange(code2, second.p)).json().error).toBe('invalid_grant');
    // While the sign-in lives, a code works (the same flow, nothing else changed).
    const third = await signedIn();
    expect((await exchange(redirectParams(third.res).get('code') as string, third.p)).statusCode).toBe(200);
  });
});

describe('each sealed form opens only as itself', () => {
  it('answers the logout confirmation posted to /auth/authorize with the 400 page, and the reverse', async () => {
    const { browser } = await signedIn();
    const confirm = await browser.get('/auth/authorize/logout');
    const logoutFields = hiddenInputs(confirm.body);
    const crossed = await browser.post('/auth/authorize', {
      ...logoutFields,
      username: 'a@b.c',
      password: 'x',
    });
    expect(crossed.statusCode).toBe(400);
    expect(crossed.headers['content-type']).toMatch(/^text\/html/);
    expect(crossed.headers.location).toBeUndefined();
    // A sign-in form and a consent form posted to logout are refused, and sign nobody out.
    const fresh = new Browser(svc.app);
    const form = await fresh.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    const toLogout = await browser.post('/auth/authorize/logout', hiddenInputs(form.body));
    expect(toLogout.statusCode).toBe(400);
    const consent = await signedIn(thirdParty);
    expect(consent.res.body).toContain('name="decision"');
    const consentToLogout = await consent.browser.post(
      '/auth/authorize/logout',
      hiddenInputs(consent.res.body),
    );
    expect(consentToLogout.statusCode).toBe(400);
    const still = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`);
    expect(redirectParams(still).get('code')).toBeTruthy();
  });

  it('does not take a second-factor form for a password form or the other way round', async () => {
    const { user } = await signInUser(svc, { totp: true });
    const browser = new Browser(svc.app);
    const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    const otpForm = await browser.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: user.email,
      password: PASSWORD,
    });
    expect(otpForm.body).toContain('name="otp"');
    // The second-factor form's fields with a password instead of a code: still a second-factor form.
    const res = await browser.post('/auth/authorize', {
      ...hiddenInputs(otpForm.body),
      username: user.email,
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="otp"');
    expect(res.headers.location).toBeUndefined();
  });
});

describe('parse errors of /auth/authorize', () => {
  it('answers a loopback redirect_uri with port 65536 (or other malformed ports) with the 400 page', async () => {
    const loopback = await publicApp(svc, { redirectUris: ['http://127.0.0.1/callback'] });
    for (const port of ['65536', '99999', '00000080']) {
      const uri = `http://127.0.0.1:${port}/callback`;
      const res = await svc.app.inject({
        method: 'GET',
        url: `/auth/authorize?${authorizeQuery(loopback, pkce(), { redirect_uri: uri })}`,
      });
      expect(res.statusCode, port).toBeLessThan(500);
      if (Number(port) > 65535) {
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
      }
    }
  });

  it('never answers fuzzed parameters with a 500', async () => {
    const values = [
      '',
      'x',
      '%',
      '\u0000',
      'a'.repeat(5000),
      'http://127.0.0.1:65536/callback',
      'http://[::1]:99999/callback',
      'http://127.0.0.1:0/callback',
      REDIRECT,
      'none',
      'login consent',
      'none login',
      'consent',
      '-1',
      '99999999999',
      'https://auth.cxauth.test/admin/v1',
      'https://x/#frag',
      'relative/path',
      '😀',
      'code',
      'S256',
    ];
    const names = [
      'response_type',
      'redirect_uri',
      'scope',
      'prompt',
      'max_age',
      'resource',
      'code_challenge',
      'code_challenge_method',
      'display',
      'tenantId',
      'response_mode',
      'state',
      'nonce',
      'login_hint',
      'request',
    ];
    const rand = (n: number) => crypto.randomInt(n);
    for (let i = 0; i < 300; i++) {
      const params = new URLSearchParams(authorizeQuery(app, pkce()));
      for (let k = 0; k < 1 + rand(4); k++) {
        const name = names[rand(names.length)] as string;
        const value = values[rand(values.length)] as string;
        if (rand(4) === 0) params.append(name, value);
        else params.set(name, value);
      }
      const url = `/auth/authorize?${params.toString()}`;
      const get = await svc.app.inject({ method: 'GET', url });
      expect(get.statusCode, url).toBeLessThan(500);
      const post = await svc.app.inject({
        method: 'POST',
        url: '/auth/authorize',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: params.toString(),
      });
      expect(post.statusCode, url).toBeLessThan(500);
    }
  });
});
