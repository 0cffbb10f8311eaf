// The code flow through the hosted sign-in page, in process: success with SSO, refresh and logout, and
// every refusal (PKCE, redirect URIs, prompt, max_age, CSRF, credentials, TOTP, throttling, logout).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { hotp, totpStep } from '../src/secrets/totp.js';
import { claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  POST_LOGOUT,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
  signInUser,
} from './support/sign-in.js';

let svc: TestService;
let app: Application;

beforeAll(async () => {
  svc = await startTestService();
  app = await publicApp(svc);
});
afterAll(() => svc.close());

/** Shows the form and posts the password; returns the browser and the answer to the post. */
async function signIn(
  email: string,
  o: { password?: string; browser?: Browser; query?: Record<string, string> } = {},
) {
  const browser = o.browser ?? new Browser(svc.app);
  const p = pkce();
  const page = await browser.get(`/auth/authorize?${authorizeQuery(app, p, o.query)}`);
  expect(page.statusCode).toBe(200);
  const res = await browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: email,
    password: o.password ?? PASSWORD,
  });
  return { browser, p, page, res };
}

function exchange(code: string, verifier: string, o: Record<string, string> = {}) {
  return tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    client_id: app.clientId,
    ...o,
  });
}

describe('the code flow', () => {
  it('signs in through the page, exchanges the code with PKCE, then SSO, refresh and logout', async () => {
    const { user } = await signInUser(svc);
    const { browser, p, page, res } = await signIn(user.email);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).toContain('name="username"');
    expect(page.body).toContain('name="password"');
    expect(page.body).toContain('<label for="username">');
    expect(page.body).toContain('Example App');
    // No inline script: only the passkeys script of the service, by the page's nonce.
    expect(page.body).not.toMatch(/<script(?! src="\/auth\/passkeys\.js" nonce="[^"]+" defer><\/script>)/);
    expect(csp).toMatch(/script-src 'nonce-[^']+';/);
    expect(res.statusCode).toBe(302);
    const q = redirectParams(res);
    expect(String(res.headers.location).startsWith(`${REDIRECT}?`)).toBe(true);
    expect(q.get('state')).toBe('st-123');
    expect(q.get('iss')).toBe(svc.config.issuer);
    const cookie = [res.headers['set-cookie']].flat().join('\n');
    expect(cookie).toMatch(/__Host-cxauth_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure/);

    const tokens = await exchange(q.get('code') as string, p.verifier);
    expect(tokens.statusCode).toBe(200);
    const body = tokens.json();
    const id = claimsOf(body.id_token);
    expect(id).toMatchObject({ nonce: 'n-456', amr: ['pwd'], aud: app.clientId, sub: `user:${user.id}` });
    expect(id['auth_time']).toBe(svc.clock.epoch);
    expect(claimsOf(body.access_token)['sid']).toBe(id['sid']);

    // Single sign-on: the next request of this browser gets a code at once, with the same auth_time.
    svc.clock.advance(30);
    const p2 = pkce();
    const sso = await browser.get(`/auth/authorize?${authorizeQuery(app, p2, { nonce: 'second' })}`);
    expect(sso.statusCode).toBe(302);
    const second = (await exchange(redirectParams(sso).get('code') as string, p2.verifier)).json();
    expect(claimsOf(second.id_token)).toMatchObject({ nonce: 'second', auth_time: id['auth_time'] });

    const refreshed = await tokenRequest(svc.app, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: app.clientId,
    });
    expect(refreshed.statusCode).toBe(200);
    expect(claimsOf(refreshed.json().id_token)).toMatchObject({ auth_time: id['auth_time'], amr: ['pwd'] });

    // Logout with the hint goes back at once, and ends the sign-in and both grant sessions.
    const out = await browser.get(
      `/auth/authorize/logout?${new URLSearchParams({ id_token_hint: body.id_token, post_logout_redirect_uri: POST_LOGOUT, state: 'bye' })}`,
    );
    expect(out.statusCode).toBe(302);
    expect(out.headers.location).toBe(`${POST_LOGOUT}?state=bye`);
    const after = await tokenRequest(svc.app, {
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token,
      client_id: app.clientId,
    });
    expect(after.json().error).toBe('invalid_grant');
    const none = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`);
    expect(redirectParams(none).get('error')).toBe('login_required');
  });

  it('asks for the password again with prompt=login and past max_age, and keeps a fresh auth_time', async () => {
    const { user } = await signInUser(svc);
    const { browser } = await signIn(user.email);
    const login = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'login' })}`);
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('name="password"');
    svc.clock.advance(120);
    const stale = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { max_age: '60' })}`);
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toContain('name="password"');
    const staleNone = await browser.get(
      `/auth/authorize?${authorizeQuery(app, pkce(), { max_age: '60', prompt: 'none' })}`,
    );
    expect(redirectParams(staleNone).get('error')).toBe('login_required');
    const fresh = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { max_age: '600' })}`);
    expect(fresh.statusCode).toBe(302);
    expect(redirectParams(fresh).get('code')).toBeTruthy();
  });
});

describe('refusals at /auth/authorize', () => {
  const errorOf = async (o: Record<string, string | undefined>) => {
    const res = await new Browser(svc.app).get(`/auth/authorize?${authorizeQuery(app, pkce(), o)}`);
    expect(res.statusCode).toBe(302);
    const q = redirectParams(res);
    expect(q.get('iss')).toBe(svc.config.issuer);
    expect(q.get('state')).toBe('st-123');
    return q.get('error');
  };

  it('requires PKCE with S256', async () => {
    expect(await errorOf({ code_challenge: undefined })).toBe('invalid_request');
    expect(await errorOf({ code_challenge_method: undefined })).toBe('invalid_request');
    expect(await errorOf({ code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await errorOf({ code_challenge: 'short' })).toBe('invalid_request');
  });

  it('answers other errors by redirect', async () => {
    expect(await errorOf({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await errorOf({ scope: 'openid admin' })).toBe('invalid_scope');
    expect(await errorOf({ prompt: 'none' })).toBe('login_required');
    expect(await errorOf({ display: 'touch' })).toBe('invalid_request');
    expect(await errorOf({ max_age: '-1' })).toBe('invalid_request');
  });

  it('never redirects to an unknown client or an unregistered redirect URI', async () => {
    for (const redirect of [
      'https://evil.example/callback',
      `${REDIRECT}/../../evil`,
      `${REDIRECT}?next=https://evil.example`,
      `${REDIRECT}#x`,
      'http://127.0.0.1:9999/callback/',
      'HTTP://127.0.0.1:9999/callback',
    ]) {
      const res = await new Browser(svc.app).get(
        `/auth/authorize?${authorizeQuery(app, pkce(), { redirect_uri: redirect })}`,
      );
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    const unknown = await new Browser(svc.app).get(
      `/auth/authorize?${authorizeQuery(app, pkce(), { client_id: 'nope' })}`,
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers.location).toBeUndefined();
  });

  it('refuses backends (unauthorized_client)', async () => {
    const backend = svc.fixture.app;
    const res = await new Browser(svc.app).get(
      `/auth/authorize?${authorizeQuery(backend, pkce())}`.replace(
        encodeURIComponent(REDIRECT),
        encodeURIComponent(REDIRECT),
      ),
    );
    // The backend has no redirect URI registered: a page; with one registered, a redirect.
    expect(res.statusCode).toBe(400);
    const { app: withUri } = await svc.addApplication({ type: 'backend', redirectUris: [REDIRECT] });
    const refused = await new Browser(svc.app).get(`/auth/authorize?${authorizeQuery(withUri, pkce())}`);
    expect(redirectParams(refused).get('error')).toBe('unauthorized_client');
  });
});

describe('refusals of the form', () => {
  it('gives no code without the CSRF token, with another interaction’s, or to another browser', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const first = hiddenInputs((await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`)).body);
    const other = hiddenInputs((await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`)).body);
    const creds = { username: user.email, password: PASSWORD };
    const missing = await browser.post('/auth/authorize', {
      interaction: first['interaction'] as string,
      ...creds,
    });
    const swapped = await browser.post('/auth/authorize', {
      ...first,
      csrf: other['csrf'] as string,
      ...creds,
    });
    const elsewhere = await new Browser(svc.app).post('/auth/authorize', { ...first, ...creds });
    for (const res of [missing, swapped, elsewhere]) {
      expect(res.statusCode).toBe(403);
      expect(res.headers.location).toBeUndefined();
    }
    const sealed = first['interaction'] as string;
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    for (const interaction of [`${sealed}x`, flipped]) {
      const tampered = await browser.post('/auth/authorize', { ...first, interaction, ...creds });
      expect(tampered.statusCode).toBe(400);
      expect(tampered.headers.location).toBeUndefined();
    }
  });

  it('shows the form again on a wrong password, and throttles repeated failures', async () => {
    const { user } = await signInUser(svc);
    const wrong = await signIn(user.email, { password: 'not the password' });
    expect(wrong.res.statusCode).toBe(200);
    expect(wrong.res.headers.location).toBeUndefined();
    expect(wrong.res.body).toContain('role="alert"');
    expect(wrong.res.body).toContain('aria-describedby="form-error"');
    for (let i = 0; i < 4; i++) await signIn(user.email, { password: `wrong ${i}` });
    const throttled = await signIn(user.email);
    expect(throttled.res.statusCode).toBe(429);
    expect(throttled.res.headers.location).toBeUndefined();
    expect(throttled.res.body).toMatch(/Too many attempts\. Try again in \d+ seconds?\./);
    svc.clock.advance(31);
    expect((await signIn(user.email)).res.statusCode).toBe(302);
  });

  it('asks users with TOTP for a code, accepts it once, and refuses wrong ones', async () => {
    const { user, totpSecret } = await signInUser(svc, { totp: true });
    const secret = totpSecret as Buffer;
    const { browser, p, res } = await signIn(user.email);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="otp"');
    expect(res.body).toContain(svc.fixture.tenant.name);
    const step = hiddenInputs(res.body);
    const bad = await browser.post('/auth/authorize', {
      ...step,
      otp: '000000' === hotp(secret, totpStep(svc.clock.now())) ? '111111' : '000000',
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.headers.location).toBeUndefined();
    const code = hotp(secret, totpStep(svc.clock.now()));
    const ok = await browser.post('/auth/authorize', { ...hiddenInputs(bad.body), otp: code });
    expect(ok.statusCode).toBe(302);
    const tokens = (await exchange(redirectParams(ok).get('code') as string, p.verifier)).json();
    expect(claimsOf(tokens.id_token)['amr']).toEqual(['pwd', 'otp', 'mfa']);
    // The same code again, in another browser: refused.
    const again = await signIn(user.email);
    const replay = await again.browser.post('/auth/authorize', {
      ...hiddenInputs(again.res.body),
      otp: code,
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers.location).toBeUndefined();
  });
});

describe('refusals at the token endpoint', () => {
  it('binds the code to its verifier and redirect URI', async () => {
    const { user } = await signInUser(svc);
    const a = await signIn(user.email);
    const wrong = await exchange(redirectParams(a.res).get('code') as string, pkce().verifier);
    expect(wrong.json().error).toBe('invalid_grant');
    const b = await signIn(user.email);
    const noVerifier = await tokenRequest(svc.app, {
      grant_type: 'authorization_code',
      code: redirectParams(b.res).get('code') as string,
      redirect_uri: REDIRECT,
      client_id: app.clientId,
    });
    expect(noVerifier.json().error).toBe('invalid_request');
    const c = await signIn(user.email);
    const otherUri = await exchange(redirectParams(c.res).get('code') as string, c.p.verifier, {
      redirect_uri: 'http://127.0.0.1:9999/other',
    });
    expect(otherUri.json().error).toBe('invalid_grant');
  });

  it('refuses a replayed code and revokes what its first exchange issued', async () => {
    const { user } = await signInUser(svc);
    const { p, res } = await signIn(user.email);
    const code = redirectParams(res).get('code') as string;
    const first = await exchange(code, p.verifier);
    expect(first.statusCode).toBe(200);
    const replay = await exchange(code, p.verifier);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');
    const refresh = await tokenRequest(svc.app, {
      grant_type: 'refresh_token',
      refresh_token: first.json().refresh_token,
      client_id: app.clientId,
    });
    expect(refresh.json().error).toBe('invalid_grant');
    const info = await svc.app.inject({
      url: '/auth/userinfo',
      headers: { authorization: `Bearer ${first.json().access_token}` },
    });
    expect(info.statusCode).toBe(401);
  });

  it('refuses an expired code', async () => {
    const { user } = await signInUser(svc);
    const { p, res } = await signIn(user.email);
    svc.clock.advance(61);
    expect((await exchange(redirectParams(res).get('code') as string, p.verifier)).json().error).toBe(
      'invalid_grant',
    );
  });
});

describe('logout', () => {
  it('never redirects to a post_logout_redirect_uri not registered for the hint’s app', async () => {
    const { user } = await signInUser(svc);
    const { p, res, browser } = await signIn(user.email);
    const { id_token } = (await exchange(redirectParams(res).get('code') as string, p.verifier)).json();
    for (const uri of ['https://evil.example/', REDIRECT, `${POST_LOGOUT}/x`]) {
      const out = await browser.get(
        `/auth/authorize/logout?${new URLSearchParams({ id_token_hint: id_token, post_logout_redirect_uri: uri })}`,
      );
      expect(out.statusCode).toBe(400);
      expect(out.headers.location).toBeUndefined();
    }
    // Still signed in: nothing was ended by the refused requests.
    expect(
      (await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`)).statusCode,
    ).toBe(302);
    expect(
      redirectParams(
        await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`),
      ).get('code'),
    ).toBeTruthy();
  });

  it('asks for confirmation without a valid hint, then signs out', async () => {
    const { user } = await signInUser(svc);
    const { browser } = await signIn(user.email);
    const forged = `${Buffer.from('{"alg":"RS256","typ":"JWT","kid":"x"}').toString('base64url')}.e30.c2ln`;
    const page = await browser.get(
      `/auth/authorize/logout?${new URLSearchParams({ id_token_hint: forged, client_id: app.clientId, post_logout_redirect_uri: POST_LOGOUT, state: 's' })}`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sign out?');
    const noCsrf = await browser.post('/auth/authorize/logout', {
      interaction: hiddenInputs(page.body)['interaction'] as string,
    });
    expect(noCsrf.statusCode).toBe(403);
    const done = await browser.post('/auth/authorize/logout', hiddenInputs(page.body));
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe(`${POST_LOGOUT}?state=s`);
    const none = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`);
    expect(redirectParams(none).get('error')).toBe('login_required');
  });
});
