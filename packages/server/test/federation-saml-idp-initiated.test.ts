// IdP-initiated SAML sign-in (docs/sso.md): off unless the IdP allows it. Off, an unsolicited response
// is refused with a page; on, it is accepted once, with every other check of a solicited one
// (signature, audience, recipient, validity, the assertion id never twice), and signs the person in
// to land on the IdP's page (the console unless it names one), where the next authorization request
// finds the sign-in; an unsolicited response that names a request is still refused.
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { addSamlIdp, adminOf, type TestAdmin } from './support/federation.js';
import { type ResponseOptions, startTestSamlIdp, type TestSamlIdp } from './support/saml-idp.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, Browser, pkce, publicApp, REDIRECT } from './support/sign-in.js';

let svc: TestService;
let idp: TestSamlIdp;
let app: Application;
let admin: TestAdmin;
let idpId: string;
let acs: string;
let audience: string;

beforeAll(async () => {
  svc = await startTestService();
  svc.clock.current = new Date();
  idp = startTestSamlIdp();
  app = await publicApp(svc);
  admin = adminOf(svc);
  ({
    id: idpId,
    acs,
    audience,
  } = await addSamlIdp(admin, svc.fixture.tenant.id, idp, {
    name: 'Portal SAML',
    domains: ['portal.test'],
  }));
  const made = await admin.showIdentityProvider(svc.fixture.tenant.id, idpId);
  expect(made.saml).toMatchObject({ allow_idp_initiated: false, idp_initiated_url: null });
}, 30_000);
afterAll(async () => {
  await svc?.close();
});

const allow = (on: boolean, url?: string | null) =>
  admin.updateIdentityProvider(svc.fixture.tenant.id, idpId, {
    saml: { allow_idp_initiated: on, ...(url === undefined ? {} : { idp_initiated_url: url }) },
  });

let n = 0;
/** An unsolicited response (no InResponseTo unless `o` gives one) for a new person of the claimed domain. */
function unsolicited(o: Partial<ResponseOptions> = {}) {
  n += 1;
  const email = `portal${n}.${Date.now()}@portal.test`;
  svc.clock.current = new Date();
  return {
    email,
    response: idp.response({ acs, audience, nameId: email, attributes: { email }, ...o }),
  };
}

const post = (browser: Browser, samlResponse: string, relayState?: string) =>
  browser.post(new URL(acs).pathname, {
    SAMLResponse: samlResponse,
    ...(relayState === undefined ? {} : { RelayState: relayState }),
  });

/** Whether the browser holds a sign-in session cookie. */
const hasSession = (b: Browser) => [...b.cookies.keys()].some((k) => k.endsWith('cxauth_session'));

function expectRefusalPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  expect(res.headers.location).toBeUndefined();
}

describe('IdP-initiated SAML, off (the default)', () => {
  it('refuses an unsolicited response with a page and signs no one in', async () => {
    const { email, response } = unsolicited();
    const browser = new Browser(svc.app);
    const res = await post(browser, response);
    expectRefusalPage(res);
    expect(res.body).toContain('Sign in from the application');
    expect(hasSession(browser)).toBe(false);
    expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);
  });

  it('refuses the continuation of an accepted one once the IdP no longer allows it', async () => {
    await allow(true);
    const { email, response } = unsolicited();
    const browser = new Browser(svc.app);
    const accepted = await post(browser, response);
    expect(accepted.statusCode).toBe(303);
    await allow(false);
    expectRefusalPage(await browser.get(String(accepted.headers.location)));
    expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);
  });
});

describe('IdP-initiated SAML, on', () => {
  it('signs the person in once and lands on the console; the next authorization finds the sign-in', async () => {
    await allow(true, null);
    const { email, response } = unsolicited();
    const browser = new Browser(svc.app);
    const accepted = await post(browser, response, 'anything-the-portal-sends');
    expect(accepted.statusCode).toBe(303);
    const ticket = String(accepted.headers.location);
    const landed = await browser.get(ticket);
    expect(landed.statusCode).toBe(302);
    expect(landed.headers.location).toBe(`${svc.config.issuer}/console/`);
    expect(hasSession(browser)).toBe(true);
    const [user] = await svc.storage.signIn.usersByEmail(email);
    expect(user?.tenantId).toBe(svc.fixture.tenant.id);

    // The app the person opens next asks as usual, and gets a code without a sign-in page.
    const again = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    expect(again.statusCode).toBe(302);
    const back = new URL(String(again.headers.location));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('code')).toBeTruthy();

    // The same response, and the same ticket, never sign in a second time.
    const other = new Browser(svc.app);
    expectRefusalPage(await post(other, response));
    expectRefusalPage(await other.get(ticket));
    expect(hasSession(other)).toBe(false);
  });

  it('lands on the page the IdP names', async () => {
    await allow(true, 'https://portal-landing.test/start?from=sso');
    const { response } = unsolicited();
    const browser = new Browser(svc.app);
    const accepted = await post(browser, response);
    const landed = await browser.get(String(accepted.headers.location));
    expect(landed.statusCode).toBe(302);
    expect(landed.headers.location).toBe('https://portal-landing.test/start?from=sso');
    await allow(true, null);
  });

  it('refuses an unsolicited response that names a request it does not answer', async () => {
    await allow(true);
    const { email, response } = unsolicited({ inResponseTo: '_a-request-never-made' });
    expectRefusalPage(await post(new Browser(svc.app), response));
    expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);
  });

  it('refuses an answer to a request of this service posted without its RelayState', async () => {
    await allow(true);
    const browser = new Browser(svc.app);
    const res = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { idp_hint: idpId })}`);
    const request = new URL(String(res.headers.location)).searchParams.get('SAMLRequest') as string;
    const requestId = /ID="([^"]+)"/.exec(
      zlib.inflateRawSync(Buffer.from(request, 'base64')).toString(),
    )?.[1] as string;
    const { response } = unsolicited({ inResponseTo: requestId });
    expectRefusalPage(await post(browser, response));
  });

  it.each([
    ['an unsigned assertion', { sign: 'none' }],
    ['a signature of another key', { foreignKey: true }],
    ["another SP's audience", { audience: 'https://other-sp.test/metadata' }],
    ['another recipient', { recipient: 'https://other-sp.test/acs' }],
    [
      'an expired assertion',
      { notBefore: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 1_800_000) },
    ],
  ] as [string, Partial<ResponseOptions>][])('still refuses %s', async (_what, o) => {
    await allow(true);
    const { email, response } = unsolicited(o);
    expectRefusalPage(await post(new Browser(svc.app), response));
    expect(await svc.storage.signIn.usersByEmail(email)).toEqual([]);
  });

  it('takes only an absolute https landing URL (http on loopback)', async () => {
    for (const bad of ['/relative', 'javascript:alert(1)', 'http://landing.test/', 'https://a.test/#x']) {
      await expect(allow(true, bad)).rejects.toMatchObject({ status: 400 });
    }
    await expect(allow(true, 'http://127.0.0.1:9999/home')).resolves.toMatchObject({
      saml: { allow_idp_initiated: true, idp_initiated_url: 'http://127.0.0.1:9999/home' },
    });
    await allow(true, null);
  });
});
