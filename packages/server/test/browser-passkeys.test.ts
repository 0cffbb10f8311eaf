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
  // localhost (and b.localhost, another RP ID) is served on 127.0.0.1 only: the browser must not try ::1.
  browser = await launchChromium({
    args: ['--host-resolver-rules=MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1'],
  });
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
async function openSignIn(
  page: Page,
  at: { issuer: string; app: Application } = { issuer, app },
): Promise<{ p: Pkce; landing: Promise<URL>; html: string }> {
  const { issuer, app } = at;
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

async function register(page: Page, name: string, at = issuer): Promise<void> {
  const passkeys = `${at}/auth/passkeys`;
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
  // Audited with the passkey's id (a detail named `passkey` would be dropped as a possible secret).
  await expect
    .poll(async () =>
      (await svc.storage.auditEvents.list({ type: 'passkey.registered', limit: 100 }))
        .filter((e) => e.subject === `user:${user.id}`)
        .map((e) => e.details),
    )
    .toEqual([expect.objectContaining({ passkeyId: stored[0]?.id })]);
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

/** Signs `email` in with the password on the sign-in page at `at`; resolves once the code arrives. */
async function passwordSignIn(page: Page, email: string, at = { issuer, app }): Promise<void> {
  const { landing } = await openSignIn(page, at);
  await page.getByLabel('E-mail').fill(email);
  // With an identity provider configured (the test above), the form asks for the address first.
  const next = page.getByRole('button', { name: 'Continue' });
  if (await next.isVisible()) await next.click();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  expect((await landing).searchParams.get('code')).toBeTruthy();
}

/** Posts `passkey` (an assertion's JSON) with the sign-in form open on `page`; the answer. */
/** The answer to the sign-in form's POST that carries a passkey assertion (sent by autofill). */
function passkeyPost(page: Page) {
  return page.waitForResponse(
    (r) =>
      r.request().method() === 'POST' &&
      r.url().startsWith(`${issuer}/auth/authorize`) &&
      (r.request().postData() ?? '').includes('passkey='),
    { timeout: 30_000 },
  );
}

async function postAssertion(page: Page, passkey: string) {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().startsWith(`${issuer}/auth/authorize`),
    { timeout: 30_000 },
  );
  await page.evaluate((value) => {
    const form = document.querySelector('form[data-passkey]') as HTMLFormElement;
    (form.querySelector('input[name="passkey"]') as HTMLInputElement).value = value;
    form.submit();
  }, passkey);
  return answered;
}

const refusals = async (reason: string) =>
  (await svc.storage.auditEvents.list({ type: 'passkey.refused', limit: 500 })).filter(
    (e) => (e.details as Record<string, unknown> | undefined)?.['reason'] === reason,
  );

it('refuses a passkey of another RP ID, though its credential is known here, with a page and an audit record', async () => {
  // Another service, whose RP ID is b.localhost, registers a passkey of one of its users.
  const other = await startTestService({ listen: true, hostname: 'b.localhost' });
  const context: BrowserContext = await browser.newContext();
  try {
    other.clock.current = new Date();
    const otherApp = await publicApp(other);
    const { user: theirs } = await signInUser(other);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const key = await authenticator(cdp);
    await passwordSignIn(page, theirs.email, { issuer: other.url, app: otherApp });
    await register(page, 'Other RP', other.url);
    const [registered] = await other.storage.passkeys.listForUser(theirs.id);
    expect(registered).toBeDefined();
    // This service knows the credential too (one database for both: the row is shared), for a user here.
    const { user: ours } = await signInUser(svc);
    if (!registered) throw new Error('no passkey');
    await svc.storage.passkeys.create({
      ...registered,
      id: crypto.randomUUID(),
      userId: ours.id,
      tenantId: ours.tenantId,
    });

    // The sign-in form here carries its challenge; the authenticator signs it for b.localhost (the
    // only RP ID it holds a credential of) from a page of b.localhost, and the assertion is posted here.
    await context.clearCookies();
    // Without the page's script here (no autofill request of its own pending at the same time).
    await page.route(`${issuer}/auth/passkeys.js`, (r) => r.abort());
    await openSignIn(page);
    const form = await page.evaluate(() => {
      const f = document.querySelector('form[data-passkey]') as HTMLFormElement;
      const fields: Record<string, string> = {};
      for (const el of Array.from(f.querySelectorAll('input'))) fields[el.name] = el.value;
      return { action: f.action, challenge: f.dataset['challenge'] ?? '', fields };
    });
    const challenge = form.challenge;
    // (The virtual authenticator is this page's: the same page goes to b.localhost and back.)
    const otherPage = page;
    await otherPage.goto(`${other.url}/auth/passkeys`);
    const assertion = await otherPage.evaluate(
      async ([challenge, id]) => {
        const dec = (s: string) =>
          Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
        const enc = (b: ArrayBuffer) =>
          btoa(String.fromCharCode(...new Uint8Array(b)))
            .replace(/\+/g, '-')
            .replace(/\//g, '_')
            .replace(/=+$/, '');
        const c = (await navigator.credentials.get({
          publicKey: {
            challenge: dec(challenge),
            rpId: 'b.localhost',
            allowCredentials: [{ type: 'public-key', id: dec(id) }],
            userVerification: 'preferred',
          },
        })) as PublicKeyCredential;
        const r = c.response as AuthenticatorAssertionResponse;
        return JSON.stringify({
          id: c.id,
          rawId: enc(c.rawId),
          type: c.type,
          clientExtensionResults: {},
          response: {
            clientDataJSON: enc(r.clientDataJSON),
            authenticatorData: enc(r.authenticatorData),
            signature: enc(r.signature),
            userHandle: r.userHandle ? enc(r.userHandle) : undefined,
          },
        });
      },
      [challenge, registered.credentialId] as const,
    );
    const before = (await refusals('invalid_assertion')).length;
    // Back here, the form's fields (its sealed challenge, its CSRF token) posted with the assertion.
    await page.goto(`${issuer}/auth/passkeys`);
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().startsWith(`${issuer}/auth/authorize`),
      { timeout: 30_000 },
    );
    await page.evaluate(
      ([action, fields, passkey]) => {
        const f = document.createElement('form');
        f.method = 'post';
        f.action = action;
        for (const [name, value] of Object.entries({ ...fields, passkey })) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          f.append(input);
        }
        document.body.append(f);
        f.submit();
      },
      [form.action, form.fields, assertion] as const,
    );
    const answer = await answered;
    expect(answer.status()).toBe(200);
    expect(await answer.headerValue('location')).toBeNull();
    expect(await answer.text()).toContain('That passkey could not be used here.');
    await expect.poll(async () => (await refusals('invalid_assertion')).length).toBe(before + 1);
    expect((await refusals('invalid_assertion'))[0]?.subject).toBe(`user:${ours.id}`);

    // The same assertion for a credential this service does not know at all is refused and audited.
    await svc.storage.passkeys.remove(
      ours.id,
      (await svc.storage.passkeys.listForUser(ours.id))[0]?.id ?? '',
    );
    await openSignIn(page);
    const unknownBefore = (await refusals('unknown_credential')).length;
    const again = await postAssertion(page, assertion);
    expect(again.status()).toBe(200);
    expect(await again.text()).toContain('That passkey could not be used here.');
    await expect.poll(async () => (await refusals('unknown_credential')).length).toBe(unknownBefore + 1);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: key });
  } finally {
    await context.close();
    await other.close();
  }
}, 120_000);

it('refuses a cloned authenticator: a stored counter ahead of the one it signs', async () => {
  const { user } = await signInUser(svc);
  const context: BrowserContext = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const key = await authenticator(cdp);
    await passwordSignIn(page, user.email);
    await register(page, 'Cloned');
    const [stored] = await svc.storage.passkeys.listForUser(user.id);
    if (!stored) throw new Error('no passkey');
    // Another copy of the key was used 1000 times: the stored counter is ahead of this one's.
    expect(
      await svc.storage.passkeys.recordUse(stored.id, {
        expected: stored.counter,
        counter: stored.counter + 1000,
        backedUp: stored.backedUp,
        at: new Date(),
      }),
    ).toBe(true);
    await context.clearCookies();
    const before = (await refusals('counter_went_back')).length;
    const refused = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().startsWith(`${issuer}/auth/authorize`),
      { timeout: 30_000 },
    );
    // Autofill answers at once with the only credential the authenticator holds.
    await openSignIn(page);
    const answer = await refused;
    expect(answer.status()).toBe(200);
    expect(await answer.headerValue('location')).toBeNull();
    // (Each refusal shows the form again, whose autofill the authenticator answers again.)
    await expect.poll(async () => (await refusals('counter_went_back')).length).toBeGreaterThan(before);
    expect((await refusals('counter_went_back'))[0]?.subject).toBe(`user:${user.id}`);
    expect((await svc.storage.passkeys.listForUser(user.id))[0]?.counter).toBe(stored.counter + 1000);
    // The authenticator gone, the last refused page stays: it says so (or, after the refusals the
    // throttle counts, that there were too many attempts).
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: key });
    await page
      .getByText(/That passkey could not be used here\.|Too many attempts\./)
      .waitFor({ timeout: 15_000 });
  } finally {
    await context.close();
  }
}, 120_000);

it('gives no code to a passkey sign-in whose tenant requires a verified address the person has not shown', async () => {
  const context: BrowserContext = await browser.newContext();
  try {
    const tenant = await svc.addTenant({ name: `verify-${crypto.randomUUID()}` });
    const { user } = await signInUser(svc, { tenant, email: `pk-${crypto.randomUUID()}@example.com` });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await authenticator(cdp);
    // Registered while the tenant did not ask for verified addresses.
    await passwordSignIn(page, user.email);
    await register(page, 'Unverified');
    await svc.storage.tenants.setEmailVerificationRequired(tenant.id, true, new Date());

    await context.clearCookies();
    const answered = passkeyPost(page);
    // Autofill answers at once with the only credential the authenticator holds: the passkey is good…
    await openSignIn(page);
    const answer = await answered;
    // …but instead of a code, the page of a mailed verification link.
    expect(answer.status()).toBe(200);
    expect(await answer.headerValue('location')).toBeNull();
    await page.getByRole('heading', { name: 'Verify your e-mail address' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('p***@example.com');
  } finally {
    await context.close();
  }
}, 120_000);

// Last: the identity provider it adds makes the sign-in page ask for the address first (without a
// passkey offer) in the tests after it.
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
    const refused = passkeyPost(page);
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
    await page.getByText('identity provider, not with a password').waitFor({ timeout: 15_000 });
  } finally {
    await context.close();
    await fake.close();
  }
}, 120_000);
