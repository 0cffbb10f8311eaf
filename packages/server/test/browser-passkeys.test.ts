// Passkeys in a real browser (Chromium through playwright-core) with a CDP virtual authenticator
// (CTAP2, internal transport, resident keys, user verification): a person signed in with a password
// registers a passkey on /auth/passkeys, signs in with it and no password (autofill is offered on the
// username field), adds a second from another authenticator, removes it (it no longer works), while
// the first is kept. The service's issuer is http://localhost:<port>, which can be an RP ID.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { createAdminService } from '../src/admin/service/admin.js';
import type { Application } from '../src/domain/types.js';
import { claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  PASSWORD,
  type Pkce,
  pkce,
  publicApp,
  REDIRECT,
  signInUser,
} from './support/sign-in.js';
import { startFakeIdp } from './support/upstream-idp.js';

let svc: TestService;
let app: Application;
let issuer: string;
let browser: Browser;

beforeAll(async () => {
  svc = await startTestService({ listen: true, localhost: true });
  issuer = svc.url;
  svc.clock.current = new Date();
  setInterval(() => {
    svc.clock.current = new Date();
  }, 200).unref();
  app = await publicApp(svc);
  // localhost is served on 127.0.0.1 only: the browser must not try ::1.
  browser = await launchChromium({ args: ['--host-resolver-rules=MAP localhost 127.0.0.1'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function authenticator(cdp: CDPSession): Promise<string> {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return authenticatorId;
}

/** Opens the sign-in page of a new authorization request; resolves the redirect's request. */
async function openSignIn(page: Page): Promise<{ p: Pkce; landing: Promise<URL>; html: string }> {
  const p = pkce();
  const landing = page
    .waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 })
    .then(async (r) => {
      // The redirect URI has no server: its failed navigation ends before the next one starts.
      await page.waitForURL((u) => !u.toString().startsWith(issuer), { timeout: 10_000 }).catch(() => {});
      await page.waitForTimeout(300);
      return new URL(r.url());
    });
  const res = await page.goto(`${issuer}/auth/authorize?${authorizeQuery(app, p)}`);
  landing.catch(() => {});
  return { p, landing, html: (await res?.text().catch(() => '')) ?? '' };
}

async function amrOf(code: string, p: Pkce): Promise<unknown> {
  const tokens = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });
  expect(tokens.statusCode).toBe(200);
  return claimsOf((tokens.json() as { id_token: string }).id_token)['amr'];
}

async function register(page: Page, name: string): Promise<void> {
  const passkeys = `${issuer}/auth/passkeys`;
  // The failed navigation to the app's redirect URI may end only now (on a busy machine): go again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.goto(passkeys);
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.waitForTimeout(500);
    }
  }
  await page.getByLabel('Name of the new passkey').fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText(`Added the passkey ${name}.`).waitFor({ timeout: 15_000 });
}

it('registers passkeys, signs in with one and no password, removes one', async () => {
  const { user } = await signInUser(svc);
  const context: BrowserContext = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const first = await authenticator(cdp);

  // The self-service page asks for a recent sign-in first.
  const early = await page.goto(`${issuer}/auth/passkeys`);
  expect(early?.status()).toBe(403);

  // A password sign-in; the page still works as a plain form.
  const { landing } = await openSignIn(page);
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  expect((await landing).searchParams.get('code')).toBeTruthy();

  await register(page, 'Laptop');
  const stored = await svc.storage.passkeys.listForUser(user.id);
  expect(stored.map((k) => k.name)).toEqual(['Laptop']);
  // The page lists it by name, never with its key.
  const listed = await page.content();
  expect(listed).toContain('Laptop');
  expect(listed).not.toContain((stored[0] as { publicKey: Buffer }).publicKey.toString('base64url'));

  // Signed out (no cookies): the sign-in page offers autofill, and the passkey signs in alone.
  await context.clearCookies();
  // The virtual authenticator answers the autofill request (conditional mediation) at once, as a
  // person picking the passkey offered under the username field would.
  const offered = await svc.app.inject({ url: `/auth/authorize?${authorizeQuery(app, pkce())}` });
  expect(offered.body).toContain('autocomplete="username webauthn"');
  expect(offered.body).toContain('<input id="password" name="password" type="password"');
  expect(offered.headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/);
  let signIn = await openSignIn(page);
  const landed = await signIn.landing;
  expect(landed.searchParams.get('iss')).toBe(issuer);
  expect(await amrOf(landed.searchParams.get('code') as string, signIn.p)).toEqual(['hwk', 'mfa']);
  const used = await svc.storage.passkeys.listForUser(user.id);
  expect(used[0]?.lastUsedAt).not.toBeNull();

  // A second passkey from another authenticator (the first one's credential kept for later).
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: first });
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first });
  const second = await authenticator(cdp);
  await register(page, 'Phone');
  expect((await svc.storage.passkeys.listForUser(user.id)).map((k) => k.name)).toEqual(['Laptop', 'Phone']);

  // Removed, it no longer signs in.
  await page.getByRole('button', { name: 'Remove passkey Phone' }).click();
  await page.getByText('Removed the passkey Phone.').waitFor();
  expect((await svc.storage.passkeys.listForUser(user.id)).map((k) => k.name)).toEqual(['Laptop']);
  await context.clearCookies();
  const refused = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().startsWith(`${issuer}/auth/authorize`),
  );
  signIn = await openSignIn(page);
  // Refused: the form again (200), not the redirect with a code (302).
  const answer = await refused;
  expect(answer.status()).toBe(200);
  expect(await answer.headerValue('location')).toBeNull();

  // The other passkey is still there, and still listed.
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: second });
  expect(credentials).toHaveLength(1);
  await context.close();
}, 120_000);

it('refuses a passkey of a claimed domain when its tenant requires SSO: a local credential, as a password', async () => {
  const fake = await startFakeIdp({ clientId: 'cxauth-client' });
  const context: BrowserContext = await browser.newContext();
  try {
    const tenant = await svc.addTenant({ name: `sso-${crypto.randomUUID()}` });
    const { user } = await signInUser(svc, { tenant, email: `p${crypto.randomUUID()}@sso-passkeys.test` });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const key = await authenticator(cdp);
    // Registered while the tenant still took passwords.
    const { landing } = await openSignIn(page);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    expect((await landing).searchParams.get('code')).toBeTruthy();
    await register(page, 'Key');

    // Then the tenant's IdP claims the domain, and the tenant requires SSO.
    const admin = createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
      credentials: { kek: svc.kek, issuer: svc.config.issuer },
    });
    await admin.createIdentityProvider(tenant.id, {
      kind: 'oidc',
      name: 'Claims the domain',
      domains: ['sso-passkeys.test'],
      oidc: { issuer: fake.issuer, client_id: 'cxauth-client', client_secret: 'upstream-secret' },
    });
    await admin.setSsoRequired(tenant.id, true);

    // An address of an unclaimed domain gets the password form, whose autofill offers the passkey of
    // the claimed domain's user: the passkey is refused, with a page and no code.
    await context.clearCookies();
    const refused = page.waitForResponse(
      (r) =>
        r.request().method() === 'POST' &&
        r.url().startsWith(`${issuer}/auth/authorize`) &&
        (r.request().postData() ?? '').includes('passkey='),
      { timeout: 30_000 },
    );
    await openSignIn(page);
    await page.getByLabel('E-mail').fill('someone@unclaimed-passkeys.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    const answer = await refused;
    expect(answer.status()).toBe(403);
    expect(await answer.headerValue('location')).toBeNull();
    await page.getByRole('alert').filter({ hasText: 'identity provider, not with a password' }).waitFor();
    // …and the refusal offers no passkey again (its autofill would only be refused again, in a loop).
    expect(await page.locator('form[data-passkey]').count()).toBe(0);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: key });
  } finally {
    await context.close();
    await fake.close();
  }
}, 120_000);
