// Consent for third-party applications, in process: the page (app, its tenant, scopes in words), the
// remembered answer (a subset asks nothing, more scopes ask again), prompt=consent, consent_required,
// access_denied, the consent form's CSRF token and its seal, and withdrawing a grant through the
// admin API (that app's sessions of the user end).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, User } from '../src/domain/types.js';
import { type Actor, ADMIN_APP, actor, call } from './support/admin.js';
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
  signInUser,
} from './support/sign-in.js';

let svc: TestService;
/** A third-party app of the fixture tenant. */
let thirdParty: Application;

beforeAll(async () => {
  svc = await startTestService({ application: ADMIN_APP });
  thirdParty = await publicApp(svc, {
    name: 'Acme Reports',
    firstParty: false,
    tenantId: svc.fixture.tenant.id,
    tenancy: 'single',
  });
});
afterAll(() => svc.close());

const authorize = (browser: Browser, p: Pkce, o: Record<string, string> = {}, app = thirdParty) =>
  browser.get(`/auth/authorize?${authorizeQuery(app, p, o)}`);

/** Signs `user` in through the form; returns the answer to the password post. */
async function signIn(browser: Browser, user: User, p: Pkce, o: Record<string, string> = {}) {
  const page = await authorize(browser, p, o);
  expect(page.statusCode).toBe(200);
  return browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: user.email,
    password: PASSWORD,
  });
}

const exchange = (code: string, p: Pkce, app = thirdParty) =>
  tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });

describe('the consent page', () => {
  it('names the app, its tenant and each scope in words; Allow is remembered, a subset asks nothing', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const p = pkce();
    const consent = await signIn(browser, user, p, { scope: 'openid profile email' });
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Allow Acme Reports?');
    expect(consent.body).toContain(`tenant <strong>${svc.fixture.tenant.name}</strong>`);
    for (const words of ['Know who you are', 'See your name', 'See your e-mail address']) {
      expect(consent.body).toContain(words);
    }
    expect(consent.body).toContain(user.email);
    expect(String(consent.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    const allowed = await browser.post('/auth/authorize', {
      ...hiddenInputs(consent.body),
      decision: 'allow',
    });
    expect(allowed.statusCode).toBe(302);
    const code = redirectParams(allowed).get('code') as string;
    const exchanged = await exchange(code, p);
    expect(exchanged.statusCode).toBe(200);
    // No offline_access allowed: the app keeps no access while the user is away.
    expect(exchanged.json().access_token).toBeTruthy();
    expect(exchanged.json().refresh_token).toBeUndefined();
    expect(await svc.storage.consents.get(user.id, thirdParty.clientId)).toMatchObject({
      scopes: ['openid', 'profile', 'email'],
    });
    // Remembered: the same scopes, or fewer, go straight back with a code.
    for (const scope of ['openid profile email', 'openid email']) {
      const again = await authorize(browser, pkce(), { scope });
      expect(again.statusCode).toBe(302);
      expect(redirectParams(again).get('code')).toBeTruthy();
    }
    // A scope not allowed yet asks again; prompt=consent asks even for allowed ones.
    expect((await authorize(browser, pkce(), { scope: 'openid offline_access' })).body).toContain(
      'Keep access while you are away',
    );
    const forced = await authorize(browser, pkce(), { scope: 'openid', prompt: 'consent' });
    expect(forced.statusCode).toBe(200);
    expect(forced.body).toContain('Allow Acme Reports?');
  });

  it('answers prompt=none without consent with consent_required, and Deny with access_denied', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const consent = await signIn(browser, user, pkce());
    expect(consent.body).toContain('Allow Acme Reports?');
    const silent = await authorize(browser, pkce(), { prompt: 'none' });
    expect(silent.statusCode).toBe(302);
    expect(redirectParams(silent).get('error')).toBe('consent_required');
    expect(redirectParams(silent).get('code')).toBeNull();
    expect(redirectParams(silent).get('state')).toBe('st-123');
    const denied = await browser.post('/auth/authorize', { ...hiddenInputs(consent.body), decision: 'deny' });
    expect(denied.statusCode).toBe(302);
    expect(redirectParams(denied).get('error')).toBe('access_denied');
    expect(redirectParams(denied).get('iss')).toBe(svc.config.issuer);
    expect(redirectParams(denied).get('code')).toBeNull();
    expect(await svc.storage.consents.get(user.id, thirdParty.clientId)).toBeUndefined();
  });

  it('needs no consent for a first-party app', async () => {
    const { user } = await signInUser(svc);
    const firstParty = await publicApp(svc);
    const browser = new Browser(svc.app);
    const page = await authorize(browser, pkce(), {}, firstParty);
    const res = await browser.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: user.email,
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(302);
    expect(redirectParams(res).get('code')).toBeTruthy();
  });

  it('gives no code for a consent post without its CSRF token, from another browser, or another sign-in', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const consent = await signIn(browser, user, pkce());
    const fields = hiddenInputs(consent.body);
    const noCsrf = await browser.post('/auth/authorize', {
      interaction: fields['interaction'] as string,
      decision: 'allow',
    });
    expect(noCsrf.statusCode).toBe(403);
    const stranger = new Browser(svc.app);
    const elsewhere = await stranger.post('/auth/authorize', { ...fields, decision: 'allow' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.headers.location).toBeUndefined();
    // The same browser after logout: the sign-in the form was shown in has ended.
    await browser.get('/auth/authorize/logout');
    const confirm = await browser.get('/auth/authorize/logout');
    await browser.post('/auth/authorize/logout', hiddenInputs(confirm.body));
    const ended = await browser.post('/auth/authorize', { ...fields, decision: 'allow' });
    expect(ended.statusCode).toBe(400);
    expect(ended.headers.location).toBeUndefined();
  });

  it('answers a consent form once: re-posted after Deny (or after Allow) it grants nothing', async () => {
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const consent = await signIn(browser, user, pkce());
    const fields = hiddenInputs(consent.body);
    const denied = await browser.post('/auth/authorize', { ...fields, decision: 'deny' });
    expect(redirectParams(denied).get('error')).toBe('access_denied');
    // The same form posted again (a replayed or re-submitted post) no longer decides anything.
    const replayed = await browser.post('/auth/authorize', { ...fields, decision: 'allow' });
    expect(replayed.statusCode).toBe(400);
    expect(replayed.headers.location).toBeUndefined();
    expect(await svc.storage.consents.get(user.id, thirdParty.clientId)).toBeUndefined();

    const p = pkce();
    const again = await authorize(browser, p);
    expect(again.body).toContain('Allow Acme Reports?');
    const form = hiddenInputs(again.body);
    const allowed = await browser.post('/auth/authorize', { ...form, decision: 'allow' });
    expect(redirectParams(allowed).get('code')).toBeTruthy();
    // Withdrawn meanwhile: the old form cannot give it back, nor mint a second code.
    await svc.storage.consents.delete(user.id, thirdParty.clientId);
    const twice = await browser.post('/auth/authorize', { ...form, decision: 'allow' });
    expect(twice.statusCode).toBe(400);
    expect(twice.headers.location).toBeUndefined();
    expect(await svc.storage.consents.get(user.id, thirdParty.clientId)).toBeUndefined();
  });
});

describe('grants in the admin API', () => {
  let me: Actor;
  let user: User;
  let refreshToken: string;
  /** A code issued under the consent and not exchanged before it is withdrawn. */
  let pending: { code: string; p: Pkce };

  beforeAll(async () => {
    me = await actor(svc, svc.fixture.tenant, {}, 'openid');
    user = me.user;
    const { hashPassword } = await import('../src/secrets/passwords.js');
    await svc.storage.signIn.setPassword(user.id, await hashPassword(PASSWORD), svc.clock.now());
    const browser = new Browser(svc.app);
    const p = pkce();
    const consent = await signIn(browser, user, p, { scope: 'openid offline_access' });
    const allowed = await browser.post('/auth/authorize', {
      ...hiddenInputs(consent.body),
      decision: 'allow',
    });
    const tokens = (await exchange(redirectParams(allowed).get('code') as string, p)).json();
    refreshToken = tokens.refresh_token;
    const p2 = pkce();
    const again = await authorize(browser, p2, { scope: 'openid offline_access' });
    pending = { code: redirectParams(again).get('code') as string, p: p2 };
  });

  it('lists a user’s grants to that user, and withdrawing one ends the app’s sessions of the user', async () => {
    const list = await call(svc, me, 'GET', `/users/${user.id}/grants`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      expect.objectContaining({
        client_id: thirdParty.clientId,
        application: 'Acme Reports',
        tenantId: svc.fixture.tenant.id,
        scopes: ['openid', 'offline_access'],
      }),
    ]);
    // Somebody else (a plain user of the same tenant) sees nothing of it.
    const other = await actor(svc, svc.fixture.tenant, {}, 'openid');
    expect((await call(svc, other, 'GET', `/users/${user.id}/grants`)).statusCode).toBe(404);
    expect(
      (await call(svc, other, 'DELETE', `/users/${user.id}/grants/${thirdParty.clientId}`)).statusCode,
    ).toBe(404);
    const withdrawn = await call(svc, me, 'DELETE', `/users/${user.id}/grants/${thirdParty.clientId}`);
    expect(withdrawn.statusCode).toBe(204);
    expect((await call(svc, me, 'GET', `/users/${user.id}/grants`)).json().items).toEqual([]);
    const refreshed = await tokenRequest(svc.app, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: thirdParty.clientId,
    });
    expect(refreshed.json().error).toBe('invalid_grant');
    // A code issued under the consent opens no session once it is withdrawn.
    const late = await exchange(pending.code, pending.p);
    expect(late.statusCode).toBe(400);
    expect(late.json().error).toBe('invalid_grant');
    expect(
      (await call(svc, me, 'DELETE', `/users/${user.id}/grants/${thirdParty.clientId}`)).statusCode,
    ).toBe(404);
    // The next sign-in asks again.
    const browser = new Browser(svc.app);
    expect((await signIn(browser, user, pkce())).body).toContain('Allow Acme Reports?');
  });
});
