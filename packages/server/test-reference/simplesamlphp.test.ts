// Reference test (npm run test:simplesamlphp): Chromium signs in through SimpleSAMLphp, the reference
// SAML 2.0 IdP, from the Debian package. The IdP's metadata is what an administrator pastes; the IdP
// is told the SP's entity ID and ACS; the person types their password at the IdP, whose page posts the
// signed assertion cross-site to the ACS; the app gets a code, the user is made just in time.

import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { createAdminService } from '../src/admin/service/admin.js';
import type { Application } from '../src/domain/types.js';
import { tokenRequest } from '../test/support/http.js';
import { startTestService, type TestService } from '../test/support/service.js';
import { authorizeQuery, pkce, publicApp, REDIRECT } from '../test/support/sign-in.js';
import { type SimpleSamlPhp, startSimpleSamlPhp } from './simplesamlphp.js';

let svc: TestService;
let ssp: SimpleSamlPhp;
let app: Application;
let browser: Browser;
let idpId: string;

beforeAll(async () => {
  ssp = await startSimpleSamlPhp();
  svc = await startTestService({ listen: true });
  svc.clock.current = new Date();
  setInterval(() => {
    svc.clock.current = new Date();
  }, 200).unref();
  app = await publicApp(svc);
  const admin = createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
    credentials: { kek: svc.kek, issuer: svc.url },
  });
  const made = await admin.createIdentityProvider(svc.fixture.tenant.id, {
    kind: 'saml',
    name: 'SimpleSAMLphp',
    domains: ['ssp.test'],
    saml: { metadata_xml: await (await fetch(ssp.metadataUrl)).text() },
  });
  idpId = made.id;
  ssp.addServiceProvider(made.saml?.sp_entity_id as string, made.saml?.acs_url as string);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await ssp?.stop();
});

it('signs in through SimpleSAMLphp in Chromium', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
  const p = pkce();
  await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(app, p)}`);
  await page.getByLabel('E-mail').fill('alice@ssp.test');
  await page.getByRole('button', { name: 'Continue' }).click();
  const username = page.locator('input[name="username"]');
  await username.waitFor({ timeout: 15_000 });
  expect(page.url().startsWith(ssp.base)).toBe(true);
  await username.fill('alice');
  await page.locator('input[name="password"]').fill('alicepass');
  await page.locator('button[type="submit"], input[type="submit"]').first().click();
  const landed = new URL((await landing).url());
  const res = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code: landed.searchParams.get('code') as string,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });
  expect(res.statusCode).toBe(200);
  const claims = decodeJwt((res.json() as { id_token: string }).id_token);
  expect(claims).toMatchObject({
    idp: idpId,
    name: 'alice@ssp.test',
    given_name: 'Alice',
    family_name: 'Smith',
  });
  await context.close();
}, 90_000);
