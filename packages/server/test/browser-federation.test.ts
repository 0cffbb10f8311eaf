// A real browser (Chromium through playwright-core) signs in through a tenant's OpenID Connect IdP,
// node-oidc-provider with its development login and consent pages: the e-mail asked first, the
// hand-over, the IdP's pages, the callback, and the app's redirect URI with a code whose id_token
// names the IdP and the user made just in time (their e-mail read from the IdP's userinfo).

import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { createAdminService } from '../src/admin/service/admin.js';
import type { Application } from '../src/domain/types.js';
import { tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, pkce, publicApp, REDIRECT } from './support/sign-in.js';
import { type RunningIdp, startOidcProvider } from './support/upstream-idp.js';

let svc: TestService;
let upstream: RunningIdp;
let app: Application;
let browser: Browser;
let idpId: string;

beforeAll(async () => {
  svc = await startTestService({ listen: true });
  svc.clock.current = new Date();
  setInterval(() => {
    svc.clock.current = new Date();
  }, 200).unref();
  app = await publicApp(svc);
  const admin = createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
    credentials: { kek: svc.kek, issuer: svc.url },
  });
  const placeholder = await admin.createIdentityProvider(svc.fixture.tenant.id, {
    kind: 'oidc',
    name: 'Acme Corp',
    domains: ['acme.test'],
    oidc: { issuer: 'http://127.0.0.1:1', client_id: 'cxauth', client_secret: 'upstream-secret' },
  });
  idpId = placeholder.id;
  upstream = await startOidcProvider({
    clientId: 'cxauth',
    clientSecret: 'upstream-secret',
    redirectUris: [placeholder.oidc?.redirect_uri as string],
  });
  await admin.updateIdentityProvider(svc.fixture.tenant.id, idpId, { oidc: { issuer: upstream.issuer } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await upstream?.close();
  await svc?.close();
});

it('signs a new person in through node-oidc-provider in Chromium', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
  const p = pkce();
  await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(app, p, { scope: 'openid profile' })}`);
  await page.getByLabel('E-mail').fill('alice@acme.test');
  await page.getByRole('button', { name: 'Continue' }).click();
  // node-oidc-provider's development pages: any login, then the consent.
  const login = page.locator('input[name="login"]');
  await login.waitFor({ timeout: 15_000 });
  expect(new URL(page.url()).origin).toBe(upstream.issuer);
  await login.fill('alice@acme.test');
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  const landed = new URL((await landing).url());
  expect(landed.searchParams.get('state')).toBe('st-123');
  expect(landed.searchParams.get('iss')).toBe(svc.url);
  const res = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code: landed.searchParams.get('code') as string,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });
  expect(res.statusCode).toBe(200);
  const claims = decodeJwt((res.json() as { id_token: string }).id_token);
  expect(claims['idp']).toBe(idpId);
  expect(claims['name']).toBe('alice@acme.test');
  expect(claims['given_name']).toBe('Alice');
  expect(claims['family_name']).toBe('Upstream');
  const [user] = await svc.storage.signIn.usersByEmail('alice@acme.test');
  expect(user?.tenantId).toBe(svc.fixture.tenant.id);
  await context.close();
}, 90_000);
