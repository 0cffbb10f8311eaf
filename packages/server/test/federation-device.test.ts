// The verification page of RFC 8628 device authorization (/auth/device/verify) with enterprise sign-in
// (docs/sso.md): the e-mail is asked first as on the authorization sign-in page, a claimed domain goes
// to its IdP (OpenID Connect, and SAML through its cross-site post), and back from it the person
// confirms the code, the device gets its tokens with the IdP in the id_token. A federated sign-in of
// a device request never becomes a code, and the code's confirmation keeps its own checks.
import zlib from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_CODE } from '../src/domain/app-types.js';
import type { Application } from '../src/domain/types.js';
import { hashUserCode, normalizeUserCode } from '../src/tokens/device-code.js';
import { addSamlIdp, adminOf } from './support/federation.js';
import { FORM, form, tokenRequest } from './support/http.js';
import { startTestSamlIdp, type TestSamlIdp } from './support/saml-idp.js';
import { startTestService, type TestService } from './support/service.js';
import { Browser, hiddenInputs, publicApp } from './support/sign-in.js';
import { type FakeIdp, startFakeIdp } from './support/upstream-idp.js';

let svc: TestService;
let fake: FakeIdp;
let saml: TestSamlIdp;
let device: Application;
let oidcIdp: string;
let samlIdp: { id: string; acs: string; audience: string };

beforeAll(async () => {
  svc = await startTestService();
  fake = await startFakeIdp({ clientId: 'cxauth-device' });
  saml = startTestSamlIdp();
  device = await publicApp(svc, {
    name: 'Device CLI',
    grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE] as Application['grantTypes'],
  });
  const admin = adminOf(svc);
  oidcIdp = (
    await admin.createIdentityProvider(svc.fixture.tenant.id, {
      kind: 'oidc',
      name: 'Acme',
      domains: ['acme-device.test'],
      oidc: { issuer: fake.issuer, client_id: 'cxauth-device', client_secret: 'upstream-secret' },
    })
  ).id;
  samlIdp = await addSamlIdp(admin, svc.fixture.tenant.id, saml, {
    name: 'Saml Co',
    domains: ['saml-device.test'],
  });
}, 30_000);
afterAll(async () => {
  await fake?.close();
  await svc?.close();
});
beforeEach(() => {
  svc.clock.current = new Date();
});

async function deviceCode() {
  const res = await svc.app.inject({
    method: 'POST',
    url: '/auth/device',
    headers: { 'content-type': FORM },
    payload: form({ client_id: device.clientId, scope: 'openid profile' }),
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { device_code: string; user_code: string };
}

/** The user code entered, then the e-mail at the sign-in step: the hand-over page to the IdP. */
async function toIdp(browser: Browser, userCode: string, email: string): Promise<URL> {
  const page = await browser.get('/auth/device/verify');
  const signIn = await browser.post('/auth/device/verify', {
    ...hiddenInputs(page.body),
    user_code: userCode,
  });
  expect(signIn.statusCode).toBe(200);
  // The e-mail first, as on the authorization sign-in page: no password field yet.
  expect(signIn.body).not.toContain('type="password"');
  expect(signIn.body).toContain('action="/auth/device/verify"');
  const handOver = await browser.post('/auth/device/verify', {
    ...hiddenInputs(signIn.body),
    username: email,
  });
  expect(handOver.statusCode).toBe(200);
  const href = /<a href="([^"]+)">Continue to/.exec(handOver.body)?.[1];
  expect(href).toBeTruthy();
  return new URL((href as string).replace(/&amp;/g, '&'));
}

/** The OpenID Connect IdP's answer, back at the callback in `browser`. */
async function backFromOidc(browser: Browser, upstream: URL) {
  const answered = await fetch(upstream, { redirect: 'manual' });
  const back = new URL(String(answered.headers.get('location')));
  return browser.get(`${back.pathname}${back.search}`);
}

async function confirmAndPoll(browser: Browser, confirm: LightMyRequestResponse, code: string) {
  expect(confirm.statusCode).toBe(200);
  expect(confirm.body).toContain('name="decision"');
  expect(confirm.body).toContain('action="/auth/device/verify"');
  const done = await browser.post('/auth/device/verify', {
    ...hiddenInputs(confirm.body),
    decision: 'allow',
  });
  expect(done.statusCode).toBe(200);
  const tokens = await tokenRequest(svc.app, {
    grant_type: DEVICE_CODE,
    device_code: code,
    client_id: device.clientId,
  });
  expect(tokens.statusCode, tokens.body).toBe(200);
  return decodeJwt((tokens.json() as { id_token: string }).id_token);
}

describe('device verification through an identity provider', () => {
  it('signs a person in at their OpenID Connect IdP, then they approve the device', async () => {
    const email = `dev.${Date.now()}@acme-device.test`;
    fake.account = { sub: `dev-sub-${Date.now()}`, email, email_verified: true };
    const d = await deviceCode();
    const browser = new Browser(svc.app);
    const upstream = await toIdp(browser, d.user_code, email);
    expect(upstream.origin).toBe(fake.issuer);
    expect(upstream.searchParams.get('login_hint')).toBe(email);
    const confirm = await backFromOidc(browser, upstream);
    // Never a code redirect for a device request: its confirmation page.
    expect(confirm.headers.location).toBeUndefined();
    const claims = await confirmAndPoll(browser, confirm, d.device_code);
    const [user] = await svc.storage.signIn.usersByEmail(email);
    expect(claims).toMatchObject({ idp: oidcIdp, sub: `user:${user?.id}` });
  });

  it('signs a person in at their SAML IdP (the cross-site post), then they approve the device', async () => {
    const email = `dev.${Date.now()}@saml-device.test`;
    const d = await deviceCode();
    const browser = new Browser(svc.app);
    const upstream = await toIdp(browser, d.user_code, email);
    expect(upstream.origin + upstream.pathname).toBe(saml.ssoUrl);
    const request = zlib
      .inflateRawSync(Buffer.from(upstream.searchParams.get('SAMLRequest') as string, 'base64'))
      .toString();
    const response = saml.response({
      acs: samlIdp.acs,
      audience: samlIdp.audience,
      inResponseTo: /ID="([^"]+)"/.exec(request)?.[1] as string,
      nameId: email,
      attributes: { email },
    });
    const posted = await browser.post(new URL(samlIdp.acs).pathname, {
      SAMLResponse: response,
      RelayState: upstream.searchParams.get('RelayState') as string,
    });
    expect(posted.statusCode).toBe(303);
    const confirm = await browser.get(String(posted.headers.location));
    const claims = await confirmAndPoll(browser, confirm, d.device_code);
    const [user] = await svc.storage.signIn.usersByEmail(email);
    expect(claims).toMatchObject({ idp: samlIdp.id, sub: `user:${user?.id}` });
  });

  it('refuses the confirmation of a device code answered meanwhile', async () => {
    const email = `late.${Date.now()}@acme-device.test`;
    fake.account = { sub: `late-sub-${Date.now()}`, email, email_verified: true };
    const d = await deviceCode();
    const browser = new Browser(svc.app);
    const upstream = await toIdp(browser, d.user_code, email);
    const record = await svc.storage.deviceAuthorizations.byUserCode(
      hashUserCode(svc.hasher, normalizeUserCode(d.user_code) as string),
    );
    expect(record).toBeDefined();
    await svc.storage.deviceAuthorizations.deny(record?.id as string, svc.clock.now());
    const page = await backFromOidc(browser, upstream);
    expect(page.statusCode).toBe(400);
    expect(page.headers.location).toBeUndefined();
    expect(page.body).toContain('expired');
  });

  it('still offers the password form for an address no IdP claims', async () => {
    const d = await deviceCode();
    const browser = new Browser(svc.app);
    const page = await browser.get('/auth/device/verify');
    const signIn = await browser.post('/auth/device/verify', {
      ...hiddenInputs(page.body),
      user_code: d.user_code,
    });
    const pw = await browser.post('/auth/device/verify', {
      ...hiddenInputs(signIn.body),
      username: 'someone@unclaimed.test',
    });
    expect(pw.statusCode).toBe(200);
    expect(pw.body).toContain('type="password"');
    expect(pw.body).toContain('value="someone@unclaimed.test"');
  });
});
