// A real browser (Chromium) signs in through a SAML 2.0 IdP: the AuthnRequest by HTTP-Redirect to a test
// IdP on another site (localhost, while cxauth is 127.0.0.1), whose page posts the signed response to
// the ACS cross-site, so none of cxauth's SameSite=Lax cookies ride along; the same-site continuation
// then checks the browser and lands on the app with a code.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { createAdminService } from '../src/admin/service/admin.js';
import { escapeHtml } from '../src/domain/html.js';
import type { Application } from '../src/domain/types.js';
import { startTestSamlIdp, type TestSamlIdp } from './support/saml-idp.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, pkce, publicApp, REDIRECT } from './support/sign-in.js';

let svc: TestService;
let app: Application;
let browser: Browser;
let server: http.Server;
let idp: TestSamlIdp;
let idpId: string;

beforeAll(async () => {
  svc = await startTestService({ listen: true });
  svc.clock.current = new Date();
  setInterval(() => {
    svc.clock.current = new Date();
  }, 200).unref();
  app = await publicApp(svc);
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const idpOrigin = `http://localhost:${(server.address() as AddressInfo).port}`;
  idp = startTestSamlIdp(`${idpOrigin}/metadata`, `${idpOrigin}/sso`);
  const admin = createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
    credentials: { kek: svc.kek, issuer: svc.url },
  });
  const made = await admin.createIdentityProvider(svc.fixture.tenant.id, {
    kind: 'saml',
    name: 'Example SAML',
    domains: ['saml-browser.test'],
    saml: { metadata_xml: idp.metadata },
  });
  idpId = made.id;
  const acs = made.saml?.acs_url as string;
  const audience = made.saml?.sp_entity_id as string;
  // The IdP's sign-in page: the person is known already; a button posts the response to the ACS.
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', idpOrigin);
    const request = zlib
      .inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64'))
      .toString();
    const response = idp.response({
      acs,
      audience,
      inResponseTo: /ID="([^"]+)"/.exec(request)?.[1] as string,
      nameId: 'sam@saml-browser.test',
      attributes: { email: 'sam@saml-browser.test', givenName: 'Sam' },
    });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>IdP</title>
<form method="post" action="${escapeHtml(acs)}">
<input type="hidden" name="SAMLResponse" value="${escapeHtml(response)}">
<input type="hidden" name="RelayState" value="${escapeHtml(url.searchParams.get('RelayState') ?? '')}">
<button type="submit">Continue to the app</button>
</form>`);
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
  await svc?.close();
});

it('signs in through a SAML IdP of another site in Chromium', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
  await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(app, pkce())}`);
  await page.getByLabel('E-mail').fill('sam@saml-browser.test');
  await page.getByRole('button', { name: 'Continue' }).click();
  const button = page.getByRole('button', { name: 'Continue to the app' });
  await button.waitFor({ timeout: 15_000 });
  expect(new URL(page.url()).hostname).toBe('localhost');
  await button.click();
  const landed = new URL((await landing).url());
  expect(landed.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(landed.searchParams.get('state')).toBe('st-123');
  const [user] = await svc.storage.signIn.usersByEmail('sam@saml-browser.test');
  expect(user?.tenantId).toBe(svc.fixture.tenant.id);
  expect(idpId).toBeTruthy();
  await context.close();
}, 90_000);
