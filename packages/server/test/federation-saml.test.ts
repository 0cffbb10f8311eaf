// Enterprise sign-in through a SAML 2.0 IdP (docs/sso.md), over Fastify's inject, with a test IdP whose
// responses xml-crypto signs: the SP metadata, the AuthnRequest (HTTP-Redirect), the HTTP-POST ACS and
// its same-site continuation, a user made just in time; and every refusal a page, never a code: a
// replayed response or assertion id, an altered, unsigned or foreign-signed assertion, another SP's
// audience, another recipient, an expired one, a wrong InResponseTo, an unsolicited response.
import zlib from 'node:zlib';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { addSamlIdp, adminOf } from './support/federation.js';
import { tokenRequest } from './support/http.js';
import { type ResponseOptions, startTestSamlIdp, type TestSamlIdp } from './support/saml-idp.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, Browser, pkce, publicApp, REDIRECT } from './support/sign-in.js';

let svc: TestService;
let idp: TestSamlIdp;
let app: Application;
let idpId: string;
let acs: string;
let audience: string;

beforeAll(async () => {
  svc = await startTestService();
  svc.clock.current = new Date();
  idp = startTestSamlIdp();
  app = await publicApp(svc);
  ({
    id: idpId,
    acs,
    audience,
  } = await addSamlIdp(adminOf(svc), svc.fixture.tenant.id, idp, {
    name: 'Generic SAML',
    domains: ['saml.test'],
  }));
}, 30_000);
afterAll(async () => {
  await svc?.close();
});

let n = 0;
/** A sign-in handed to the IdP: the browser, PKCE, the RelayState and the AuthnRequest's ID. */
async function start() {
  svc.clock.current = new Date();
  const browser = new Browser(svc.app);
  const p = pkce();
  const res = await browser.get(`/auth/authorize?${authorizeQuery(app, p, { idp_hint: idpId })}`);
  expect(res.statusCode).toBe(302);
  const url = new URL(String(res.headers.location));
  expect(url.origin + url.pathname).toBe(idp.ssoUrl);
  const request = zlib
    .inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') as string, 'base64'))
    .toString();
  const requestId = /ID="([^"]+)"/.exec(request)?.[1] as string;
  expect(request).toContain(`AssertionConsumerServiceURL="${acs}"`);
  n += 1;
  return {
    browser,
    p,
    relayState: url.searchParams.get('RelayState') as string,
    requestId,
    email: `saml${n}.${Date.now()}@saml.test`,
  };
}

async function post(browser: Browser, relayState: string | undefined, samlResponse: string) {
  return browser.post(new URL(acs).pathname, {
    SAMLResponse: samlResponse,
    ...(relayState === undefined ? {} : { RelayState: relayState }),
  });
}

function expectRefusalPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  expect(res.headers.location).toBeUndefined();
}

async function signIn(o: Partial<ResponseOptions> = {}) {
  const s = await start();
  const response = idp.response({
    acs,
    audience,
    inResponseTo: s.requestId,
    nameId: s.email,
    attributes: { email: s.email, givenName: 'Sam', sn: 'Ell' },
    ...o,
  });
  return { ...s, response, res: await post(s.browser, s.relayState, response) };
}

describe('SAML sign-in', () => {
  it('publishes the SP metadata with the ACS of the HTTP-POST binding', async () => {
    const res = await svc.app.inject({ method: 'GET', url: new URL(audience).pathname });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    expect(res.body).toContain(`entityID="${audience}"`);
    expect(res.body).toContain(`Location="${acs}"`);
    expect(res.body).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
  });

  it.each(['assertion', 'response', 'both'] as const)(
    'signs in with a signed %s, the user made just in time',
    async (sign) => {
      const { browser, p, res, email } = await signIn({ sign });
      expect(res.statusCode).toBe(303);
      const next = await browser.get(String(res.headers.location));
      expect(next.statusCode).toBe(302);
      const landed = new URL(String(next.headers.location));
      expect(landed.origin + landed.pathname).toBe(REDIRECT);
      const tokens = await tokenRequest(svc.app, {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code') as string,
        redirect_uri: REDIRECT,
        code_verifier: p.verifier,
        client_id: app.clientId,
      });
      expect(tokens.statusCode).toBe(200);
      const claims = decodeJwt((tokens.json() as { id_token: string }).id_token);
      expect(claims).toMatchObject({ idp: idpId, name: email, given_name: 'Sam', family_name: 'Ell' });
    },
  );
});

describe('SAML refusals: a page, never a code', () => {
  it('refuses the same SAMLResponse twice, and an assertion id seen before', async () => {
    const first = await signIn();
    expect(first.res.statusCode).toBe(303);
    expectRefusalPage(await post(first.browser, first.relayState, first.response));
    const assertionId = /<saml:Assertion [^>]*ID="([^"]+)"/.exec(
      Buffer.from(first.response, 'base64').toString(),
    )?.[1];
    expectRefusalPage((await signIn({ assertionId })).res);
  });

  it.each([
    ['an unsigned assertion', { sign: 'none' }],
    [
      'an assertion altered after signing',
      { tamper: (x: string) => x.replace(/(<saml:NameID[^>]*>)[^<]+/, '$1mallory@saml.test') },
    ],
    ['a signature of another key', { foreignKey: true }],
    ["another SP's audience", { audience: 'https://other-sp.test/metadata' }],
    ['another recipient', { recipient: 'https://other-sp.test/acs' }],
    [
      'an expired assertion',
      { notBefore: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 1_800_000) },
    ],
    ['a wrong InResponseTo', { inResponseTo: '_not-the-request' }],
  ] as [string, Partial<ResponseOptions>][])('refuses %s', async (_what, o) => {
    const { res } = await signIn(o);
    expectRefusalPage(res);
  });

  it('refuses an unsolicited (IdP-initiated) response', async () => {
    const response = idp.response({ acs, audience, nameId: 'x@saml.test' });
    expectRefusalPage(await post(new Browser(svc.app), undefined, response));
  });

  it('refuses the continuation in another browser, and an altered ticket', async () => {
    const { res } = await signIn();
    const location = String(res.headers.location);
    expectRefusalPage(await new Browser(svc.app).get(location));
    expectRefusalPage(await new Browser(svc.app).get(`${location.slice(0, -4)}AAAA`));
  });

  it("never signs anyone in through another tenant's SAML IdP path", async () => {
    const other = await svc.addTenant({ name: 'saml-other' });
    const foreign = await addSamlIdp(adminOf(svc), other.id, idp, {
      name: 'Other',
      domains: ['other-saml.test'],
    });
    const s = await start();
    const response = idp.response({
      acs: foreign.acs,
      audience: foreign.audience,
      inResponseTo: s.requestId,
      nameId: s.email,
    });
    expectRefusalPage(
      await s.browser.post(new URL(foreign.acs).pathname, {
        SAMLResponse: response,
        RelayState: s.relayState,
      }),
    );
    expect(await svc.storage.signIn.usersByEmail(s.email)).toEqual([]);
  });
});
