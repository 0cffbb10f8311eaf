// RFC 8628 device authorization in process: the device authorization endpoint, the verification page
// (user code, sign-in, confirmation or consent) and the device_code grant's answers — pending,
// slow_down, denial, expiry, reuse — with the boundaries between apps and between tenants.
// The device_code grant binds to a DPoP key like the others (RFC 9449 §5).
import type { LightMyRequestResponse } from 'fastify';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE } from '../src/domain/app-types.js';
import type { Application, Tenant, User } from '../src/domain/types.js';
import { purge } from '../src/maintenance/purge.js';
import { DEVICE_CODE_TTL, normalizeUserCode, USER_CODE_ALPHABET } from '../src/tokens/device-code.js';
import { basic, claimsOf, FORM, form, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { Browser, hiddenInputs, PASSWORD, publicApp, signInUser } from './support/sign-in.js';

let svc: TestService;
let device: Application;
/** A browser signed in once (sign-in costs a memory-hard hash), for the tests of other steps. */
let shared: { user: User; browser: Browser };

interface DeviceResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

const GRANTS = ['authorization_code', 'refresh_token', DEVICE_CODE] as Application['grantTypes'];

beforeAll(async () => {
  svc = await startTestService();
  device = await publicApp(svc, { name: 'Device CLI', grantTypes: GRANTS });
  const { user } = await signInUser(svc);
  const browser = new Browser(svc.app);
  const first = await start();
  await answer(
    browser,
    await signIn(browser, await enterCode(browser, first.user_code), user.email),
    'allow',
  );
  shared = { user, browser };
});
afterAll(async () => svc?.close());

function deviceRequest(params: Record<string, string>, headers: Record<string, string> = {}) {
  return svc.app.inject({
    method: 'POST',
    url: '/auth/device',
    headers: { 'content-type': FORM, ...headers },
    payload: form(params),
  });
}

async function start(
  app: Application = device,
  scope = 'openid profile offline_access',
): Promise<DeviceResponse> {
  const res = await deviceRequest({ client_id: app.clientId, scope });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['cache-control']).toContain('no-store');
  return res.json() as DeviceResponse;
}

const poll = (code: string, app: Application = device) =>
  tokenRequest(svc.app, { grant_type: DEVICE_CODE, device_code: code, client_id: app.clientId });

const errorOf = (res: LightMyRequestResponse) => (res.json() as { error: string }).error;

/** Enters `userCode` on the verification page in `browser`; returns the page it leads to. */
async function enterCode(
  browser: Browser,
  userCode: string,
  prefill = false,
): Promise<LightMyRequestResponse> {
  const page = await browser.get(
    prefill ? `/auth/device/verify?user_code=${encodeURIComponent(userCode)}` : '/auth/device/verify',
  );
  expect(page.statusCode).toBe(200);
  if (prefill) expect(page.body).toContain(`value="${userCode}"`);
  return browser.post('/auth/device/verify', { ...hiddenInputs(page.body), user_code: userCode });
}

/** Signs in on the page `res` shows (the sign-in form); returns the page after it. */
async function signIn(browser: Browser, res: LightMyRequestResponse, email: string) {
  expect(res.body).toContain('name="password"');
  return browser.post('/auth/device/verify', {
    ...hiddenInputs(res.body),
    username: email,
    password: PASSWORD,
  });
}

async function answer(browser: Browser, res: LightMyRequestResponse, decision: 'allow' | 'deny') {
  expect(res.body).toContain('name="decision"');
  return browser.post('/auth/device/verify', { ...hiddenInputs(res.body), decision });
}

/**
 * The whole verification of `userCode`: in the shared signed-in browser (straight to the
 * confirmation), or with `fresh`, by a new user of `tenant` signing in in a new browser.
 */
async function approve(
  userCode: string,
  o: { fresh?: boolean; tenant?: Tenant; decision?: 'allow' | 'deny' } = {},
) {
  if (!o.fresh) {
    const confirm = await enterCode(shared.browser, userCode, true);
    const done = await answer(shared.browser, confirm, o.decision ?? 'allow');
    return { ...shared, confirm, done };
  }
  const { user } = await signInUser(svc, o.tenant ? { tenant: o.tenant } : {});
  const browser = new Browser(svc.app);
  const confirm = await signIn(browser, await enterCode(browser, userCode, true), user.email);
  const done = await answer(browser, confirm, o.decision ?? 'allow');
  return { user, browser, confirm, done };
}

describe('the device authorization endpoint', () => {
  it('is in discovery and answers a device code, a user code and where to enter it', async () => {
    const meta = (await svc.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(meta.device_authorization_endpoint).toBe(`${svc.config.issuer}/auth/device`);
    expect(meta.grant_types_supported).toContain(DEVICE_CODE);
    const d = await start();
    expect(d.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(d.user_code).toMatch(new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    expect(d.verification_uri).toBe(`${svc.config.issuer}/auth/device/verify`);
    expect(d.verification_uri_complete).toBe(`${d.verification_uri}?user_code=${d.user_code}`);
    expect(d).toMatchObject({ expires_in: DEVICE_CODE_TTL, interval: 5 });
  });

  it('stores neither code in clear', async () => {
    const d = await start();
    const found = await svc.storage.deviceAuthorizations.byDeviceCode(svc.hasher.hash(d.device_code));
    expect(found?.status).toBe('pending');
    const row = JSON.stringify(found);
    expect(row).not.toContain(d.device_code);
    expect(row).not.toContain(d.user_code.replace('-', ''));
  });

  it('refuses apps that did not opt in, unknown clients and malformed requests', async () => {
    const codeOnly = await publicApp(svc);
    expect(errorOf(await deviceRequest({ client_id: codeOnly.clientId }))).toBe('unauthorized_client');
    const unknown = await deviceRequest({ client_id: 'no-such-client' });
    expect([unknown.statusCode, errorOf(unknown)]).toEqual([401, 'invalid_client']);
    const scope = await deviceRequest({ client_id: device.clientId, scope: 'no-such-scope' });
    expect([scope.statusCode, errorOf(scope)]).toEqual([400, 'invalid_scope']);
    const json = await svc.app.inject({
      method: 'POST',
      url: '/auth/device',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect([json.statusCode, errorOf(json)]).toEqual([400, 'invalid_request']);
    // A backend signs no one in: its type may never have the grant.
    const { app: backend, clientSecret } = await svc.addApplication({
      type: 'backend',
      grantTypes: [DEVICE_CODE],
    });
    const refused = await deviceRequest({}, { authorization: basic(backend.clientId, clientSecret) });
    expect(errorOf(refused)).toBe('unauthorized_client');
  });

  it('authenticates a confidential client with its secret', async () => {
    const { app, clientSecret } = await svc.addApplication({ type: 'confidential', grantTypes: GRANTS });
    const wrong = await deviceRequest({}, { authorization: basic(app.clientId, 'wrong') });
    expect(wrong.statusCode).toBe(401);
    const ok = await deviceRequest({ scope: 'openid' }, { authorization: basic(app.clientId, clientSecret) });
    expect(ok.statusCode).toBe(200);
  });
});

describe('the device_code grant', () => {
  it('is pending, slows a hasty device down by 5 s, then issues tokens once approved', async () => {
    const d = await start();
    expect(errorOf(await poll(d.device_code))).toBe('authorization_pending');
    // Sooner than the interval: slow_down, and the interval is now 10 s (RFC 8628 §3.5).
    svc.clock.advance(2);
    const hasty = await poll(d.device_code);
    expect([hasty.statusCode, errorOf(hasty)]).toEqual([400, 'slow_down']);
    svc.clock.advance(10);
    expect(errorOf(await poll(d.device_code))).toBe('authorization_pending');
    // Each slow_down adds 5 s for all later polls: 15 s now.
    svc.clock.advance(9);
    expect(errorOf(await poll(d.device_code))).toBe('slow_down');
    svc.clock.advance(15);
    expect(errorOf(await poll(d.device_code))).toBe('authorization_pending');

    const { user, confirm, done } = await approve(d.user_code, { fresh: true });
    // A first-party app: the confirmation names the app (no consent page), and what the device may
    // do, so that a person sent someone else's code sees what they would hand over (RFC 8628 §5.4).
    expect(confirm.body).toContain('Sign in to Device CLI on your device?');
    const listed = [...confirm.body.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
    expect(listed).toEqual([
      'Know who you are (your account id)',
      'See your name',
      'Keep access while you are away (stay signed in)',
    ]);
    expect(done.body).toContain('Device CLI is signed in on your device');
    const tokens = await poll(d.device_code);
    expect(tokens.statusCode, tokens.body).toBe(200);
    const body = tokens.json() as { access_token: string; refresh_token: string; id_token: string };
    expect(claimsOf(body.access_token)).toMatchObject({ sub: `user:${user.id}`, client_id: device.clientId });
    expect(claimsOf(body.id_token)).toMatchObject({ aud: device.clientId, amr: ['pwd'] });
    expect(body.refresh_token).toBeTruthy();
    // Spent: the same device code never opens a second session.
    expect(errorOf(await poll(d.device_code))).toBe('invalid_grant');
    const refreshed = await tokenRequest(svc.app, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: device.clientId,
    });
    expect(refreshed.statusCode).toBe(200);
  });

  it('answers access_denied once the person denied, and the code cannot be entered again', async () => {
    const d = await start();
    const { done } = await approve(d.user_code, { decision: 'deny' });
    expect(done.body).toContain('You denied Device CLI');
    expect(errorOf(await poll(d.device_code))).toBe('access_denied');
    const again = await enterCode(new Browser(svc.app), d.user_code);
    expect(again.body).toContain('not valid, has expired or was used');
  });

  it('answers expired_token after the code expired, and the page refuses its user code', async () => {
    const d = await start();
    svc.clock.advance(DEVICE_CODE_TTL);
    const res = await poll(d.device_code);
    expect([res.statusCode, errorOf(res)]).toEqual([400, 'expired_token']);
    expect((await enterCode(new Browser(svc.app), d.user_code)).body).toContain('not valid');
    // The purge removes it.
    const report = await purge(svc.storage, {
      retention: svc.config.retention,
      throttling: svc.config.throttling,
      tokens: svc.config.tokens,
      now: svc.clock.now(),
    });
    expect(report['device_authorizations']?.deleted).toBeGreaterThanOrEqual(1);
    expect(
      await svc.storage.deviceAuthorizations.byDeviceCode(svc.hasher.hash(d.device_code)),
    ).toBeUndefined();
  });

  it("refuses another app's device code and a made-up one", async () => {
    const d = await start();
    await approve(d.user_code);
    const other = await publicApp(svc, { grantTypes: GRANTS });
    expect(errorOf(await poll(d.device_code, other))).toBe('invalid_grant');
    expect(errorOf(await poll('x'.repeat(43)))).toBe('invalid_grant');
    // Still the owner's to exchange.
    expect((await poll(d.device_code)).statusCode).toBe(200);
  });

  it('refuses a client no longer allowed the grant, and a request without device_code', async () => {
    const app = await publicApp(svc, { grantTypes: GRANTS });
    const d = await start(app);
    await svc.storage.applications.update({ ...app, grantTypes: ['authorization_code'] });
    expect(errorOf(await poll(d.device_code, app))).toBe('unauthorized_client');
    const missing = await tokenRequest(svc.app, { grant_type: DEVICE_CODE, client_id: device.clientId });
    expect([missing.statusCode, errorOf(missing)]).toEqual([400, 'invalid_request']);
  });

  it('opens nothing after the approving browser signed out', async () => {
    const d = await start();
    const { browser } = await approve(d.user_code, { fresh: true });
    const logout = await browser.get('/auth/authorize/logout');
    await browser.post('/auth/authorize/logout', hiddenInputs(logout.body));
    expect(errorOf(await poll(d.device_code))).toBe('invalid_grant');
  });
});

describe('the verification page', () => {
  it('accepts the user code in any case, with or without the dash', async () => {
    const d = await start();
    const typed = d.user_code.replace('-', ' ').toLowerCase();
    expect(normalizeUserCode(typed)).toBe(d.user_code.replace('-', ''));
    const { user } = await signInUser(svc);
    const browser = new Browser(svc.app);
    const confirm = await signIn(browser, await enterCode(browser, typed), user.email);
    expect(confirm.body).toContain('name="decision"');
  });

  it('goes straight to the confirmation in a signed-in browser, and a user code is used once', async () => {
    const { browser } = shared;
    const second = await start();
    const confirm = await enterCode(browser, second.user_code);
    expect(confirm.body).toContain('Sign in to Device CLI on your device?');
    // Entered in a second browser before the first answered: only the first answer counts.
    const { user: other } = await signInUser(svc);
    const racing = new Browser(svc.app);
    const otherConfirm = await signIn(racing, await enterCode(racing, second.user_code), other.email);
    expect((await answer(browser, confirm, 'allow')).statusCode).toBe(200);
    const late = await answer(racing, otherConfirm, 'allow');
    expect([late.statusCode, late.body.includes('expired or was used')]).toEqual([400, true]);
    expect((await enterCode(racing, second.user_code)).body).toContain('not valid');
  });

  it('asks a third-party app consent on the consent page, naming the scopes', async () => {
    const thirdParty = await publicApp(svc, { name: 'Other TV', grantTypes: GRANTS, firstParty: false });
    const d = await start(thirdParty, 'openid email');
    const { user, confirm } = await approve(d.user_code);
    expect(confirm.body).toContain('Allow Other TV?');
    expect(confirm.body).toContain('See your e-mail address');
    expect((await poll(d.device_code, thirdParty)).statusCode).toBe(200);
    expect((await svc.storage.consents.get(user.id, thirdParty.clientId))?.scopes).toEqual([
      'openid',
      'email',
    ]);
  });

  it("keeps a single-tenant app's device to its own tenant's users", async () => {
    const other = await svc.addTenant();
    const { user: stranger } = await signInUser(svc, { tenant: other });
    const own = await publicApp(svc, {
      tenantId: svc.fixture.tenant.id,
      tenancy: 'single',
      grantTypes: GRANTS,
    });
    const d = await start(own);
    const browser = new Browser(svc.app);
    // The sign-in form is of the app's tenant: the other tenant's user and password do not sign in.
    const refused = await signIn(browser, await enterCode(browser, d.user_code), stranger.email);
    expect(refused.body).toContain('The e-mail address or password is not correct.');
    // A browser signed in to the other tenant is asked to sign in again, not to confirm.
    const d2 = await start();
    const { browser: otherBrowser } = await approve(d2.user_code, { fresh: true, tenant: other });
    const page = await enterCode(otherBrowser, d.user_code);
    expect(page.body).toContain('name="password"');
    expect(page.body).not.toContain('name="decision"');
    expect(errorOf(await poll(d.device_code, own))).toBe('authorization_pending');
  });

  it('refuses a tampered, foreign or CSRF-less form', async () => {
    const browser = new Browser(svc.app);
    const page = await browser.get('/auth/device/verify');
    const fields = hiddenInputs(page.body);
    const tampered = await browser.post('/auth/device/verify', {
      ...fields,
      interaction: `${fields['interaction']}x`,
    });
    expect(tampered.statusCode).toBe(400);
    const noCsrf = await browser.post('/auth/device/verify', {
      interaction: fields['interaction'] as string,
    });
    expect(noCsrf.statusCode).toBe(403);
    const otherBrowser = new Browser(svc.app);
    const foreign = await otherBrowser.post('/auth/device/verify', { ...fields, user_code: 'BCDF-GHJK' });
    expect(foreign.statusCode).toBe(403);
    // A sign-in form of /auth/authorize opens nothing here.
    const authorizePage = await browser.get(
      `/auth/authorize?response_type=code&client_id=${device.clientId}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/callback')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
    );
    const crossed = await browser.post('/auth/device/verify', {
      ...hiddenInputs(authorizePage.body),
      username: 'x@example.com',
      password: 'x',
    });
    expect(crossed.statusCode).toBe(400);
    // Nor does the device's sign-in form open at /auth/authorize (no code for a device's sign-in),
    // though it is posted from the browser it was shown to (400, before the CSRF check's 403).
    const d = await start();
    const same = new Browser(svc.app);
    const deviceSignIn = await enterCode(same, d.user_code);
    const backwards = await same.post('/auth/authorize', {
      ...hiddenInputs(deviceSignIn.body),
      username: shared.user.email,
      password: PASSWORD,
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.headers.location).toBeUndefined();
    const json = await svc.app.inject({
      method: 'POST',
      url: '/auth/device/verify',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBeGreaterThanOrEqual(400);
    expect(json.statusCode).toBeLessThan(500);
  });

  it('delays an address that enters wrong user codes', async () => {
    const browser = new Browser(svc.app);
    const address = '203.0.113.77';
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < svc.config.throttling.addressFailures + 1; i++) {
      const page = await browser.get('/auth/device/verify');
      last = await svc.app.inject({
        method: 'POST',
        url: '/auth/device/verify',
        remoteAddress: address,
        headers: { 'content-type': FORM, cookie: browser.cookieHeader },
        payload: form({ ...hiddenInputs(page.body), user_code: 'BBBB-BBBB' }),
      });
      if (last.statusCode === 429) break;
    }
    expect(last?.statusCode).toBe(429);
    expect(last?.body).toContain('Too many attempts');
  });
});

describe('the device_code grant with DPoP (RFC 9449 §5)', () => {
  it('binds the access token and the public client refresh token to the key of the proof', async () => {
    const pair = (await jose.generateKeyPair('ES256')) as CryptoKeyPair;
    const jwk = await jose.exportJWK(pair.publicKey);
    const proof = () =>
      new jose.SignJWT({
        jti: crypto.randomUUID(),
        htm: 'POST',
        htu: `${svc.config.issuer}/auth/token`,
        iat: svc.clock.epoch,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(pair.privateKey);
    const d = await start();
    await approve(d.user_code);
    const res = await tokenRequest(
      svc.app,
      { grant_type: DEVICE_CODE, device_code: d.device_code, client_id: device.clientId },
      { dpop: await proof() },
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { token_type: string; access_token: string; refresh_token: string };
    expect(body.token_type).toBe('DPoP');
    expect(claimsOf(body.access_token)['cnf']).toEqual({
      jkt: await jose.calculateJwkThumbprint(jwk, 'sha256'),
    });
    const refresh = {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: device.clientId,
    };
    const bare = await tokenRequest(svc.app, refresh);
    expect(errorOf(bare)).toBe('invalid_grant');
    const bound = await tokenRequest(svc.app, refresh, { dpop: await proof() });
    expect(bound.statusCode).toBe(200);
    expect(bound.json().token_type).toBe('DPoP');
  });
});
