// The hosted pages in a real browser (Chromium through playwright-core) under axe-core's WCAG 2.1 A
// and AA rules, light and dark, desktop and phone: the sign-in page with passkey autofill offered (and,
// once an identity provider is configured, the identifier page and the password step after it), a
// wrong password, the TOTP step, the passkey step, consent, device verification, the password reset
// request and new-password pages, the invitation page and the self-service passkeys page, each with no
// violation at all. Then the keyboard: Tab goes e-mail → password → Sign in → the passkey button →
// "Forgot password?", every input has a label, an error is announced and linked to the fields and the
// focus lands where the person types next. Without JavaScript, the passkey step says why it cannot go
// on and offers what can; the passkeys page renames a passkey as a plain form, only the person's own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { createAdminService } from '../src/admin/service/admin.js';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import type { Passkey } from '../src/domain/passkey.js';
import type { Application, User } from '../src/domain/types.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, PASSWORD, pkce, publicApp, REDIRECT, signInUser } from './support/sign-in.js';
import { linkIn, type SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { startFakeIdp } from './support/upstream-idp.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let svc: TestService;
let app: Application;
let thirdParty: Application;
let device: Application;
let admin: Actor;
let sink: SmtpSink;
let browser: Browser;

beforeAll(async () => {
  sink = await startSmtpSink();
  svc = await startTestService({
    listen: true,
    localhost: true,
    application: ADMIN_APP,
    now: () => new Date(),
    config: {
      mail: {
        ...MAIL_DEFAULTS,
        smtpUrl: `smtp://127.0.0.1:${sink.port}`,
        from: 'cxauth <auth@example.com>',
        pollMs: 100,
        retryBaseMs: 200,
        timeoutMs: 2000,
        leaseMs: 5000,
      },
    },
  });
  app = await publicApp(svc);
  thirdParty = await publicApp(svc, { name: 'Third-Party Notes', firstParty: false });
  device = await publicApp(svc, {
    name: 'Device CLI',
    grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  });
  admin = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
  browser = await launchChromium({ args: ['--host-resolver-rules=MAP localhost 127.0.0.1'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await sink?.close();
});

/**
 * Every WCAG 2.1 A/AA violation axe-core finds on the page as it is now, as `rule: selectors` lines,
 * and the rules that passed (so a page where axe checked nothing does not count as clean).
 */
async function axe(page: Page): Promise<{ violations: string[]; passed: string[] }> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const found = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations', 'passes'],
    })) as {
      violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[];
      passes: { id: string }[];
    };
    return {
      violations: result.violations.map(
        (v) =>
          `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} (${n.failureSummary ?? ''})`).join('; ')}`,
      ),
      passed: result.passes.map((p) => p.id),
    };
  }, WCAG21_AA);
  return found;
}

const clean = async (page: Page, what: string) => {
  const { violations, passed } = await axe(page);
  expect({ what, violations }).toEqual({ what, violations: [] });
  // What every one of these pages has, checked: a language, a title, the contrast of its text.
  expect({ what, passed }).toEqual({
    what,
    passed: expect.arrayContaining(['html-has-lang', 'document-title', 'color-contrast']),
  });
};

/** A passkey of `user` as registration stores one (the pages only list and offer it). */
async function addPasskey(user: User, name: string): Promise<Passkey> {
  const passkey: Passkey = {
    id: crypto.randomUUID(),
    userId: user.id,
    tenantId: user.tenantId,
    credentialId: crypto.randomUUID().replaceAll('-', ''),
    publicKey: Buffer.from('a-cose-public-key'),
    counter: 0,
    transports: ['internal'],
    backupEligible: true,
    backedUp: true,
    name,
    createdAt: new Date(),
    lastUsedAt: null,
  };
  await svc.storage.passkeys.create(passkey);
  return passkey;
}

/** Opens the sign-in page of a new authorization request of `client`. */
async function openSignIn(page: Page, client: Application = app) {
  await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(client, pkce())}`);
}

/** Signs `email` in with the password on a new request's page; resolves once the app gets its code. */
async function signInWithPassword(page: Page, email: string) {
  await openSignIn(page);
  // The redirect to the app (which has no server) is only watched, never loaded.
  const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
  await typePassword(page, email);
  expect(new URL((await landing).url()).searchParams.get('code')).toBeTruthy();
  // The failed navigation to the app ends before the next one starts.
  await page.waitForURL((u) => !u.toString().startsWith(svc.url), { timeout: 10_000 }).catch(() => {});
  await page.waitForLoadState('load').catch(() => {});
  await page.waitForTimeout(200);
}

async function typePassword(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

for (const [viewport, scheme] of [
  [{ width: 1280, height: 800 }, 'light'],
  [{ width: 390, height: 844 }, 'dark'],
] as const) {
  it(`finds no WCAG 2.1 A/AA violation on any hosted page (${viewport.width}px, ${scheme})`, async () => {
    const context = await browser.newContext({ viewport, colorScheme: scheme });
    try {
      const page = await context.newPage();
      const { user: totpUser } = await signInUser(svc, { totp: true });
      const { user: keyUser } = await signInUser(svc);
      await addPasskey(keyUser, 'Laptop');
      const { user } = await signInUser(svc);

      // The sign-in page, with passkey autofill offered on the e-mail field.
      await openSignIn(page);
      expect(await page.getByLabel('E-mail').getAttribute('autocomplete')).toBe('username webauthn');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      await clean(page, 'sign-in');
      await typePassword(page, user.email, 'not the password');
      await page.getByRole('alert').waitFor();
      await clean(page, 'wrong password');
      await typePassword(page, totpUser.email);
      await page.getByLabel('6-digit code').waitFor();
      await clean(page, 'TOTP code');
      await page.getByLabel('6-digit code').fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      await clean(page, 'wrong TOTP code');

      // The passkey as the second factor.
      await openSignIn(page);
      await typePassword(page, keyUser.email);
      await page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      // With JavaScript and WebAuthn, the words for a browser without them are not shown.
      expect(await page.locator('#passkey-fallback').isVisible()).toBe(false);
      await clean(page, 'passkey step');

      // Signed in: the consent page of a third-party app, the self-service passkeys page.
      await signInWithPassword(page, user.email);
      await openSignIn(page, thirdParty);
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      await clean(page, 'consent');
      await addPasskey(user, 'Phone');
      await page.goto(`${svc.url}/auth/passkeys`);
      await page.getByLabel('New name for passkey Phone').waitFor();
      await clean(page, 'passkeys page');

      // Device verification: the code form, then the confirmation of the signed-in person.
      await page.goto(`${svc.url}/auth/device/verify`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await clean(page, 'device code form');
      const started = await svc.app.inject({
        method: 'POST',
        url: '/auth/device',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ client_id: device.clientId, scope: 'openid' }).toString(),
      });
      expect(started.statusCode, started.body).toBe(200);
      await page.goto(started.json().verification_uri_complete as string);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await clean(page, 'device confirmation');

      // Password reset: the request form, then the mailed link's new-password form.
      await page.goto(`${svc.url}/auth/password-reset`);
      await page.getByLabel('E-mail').waitFor();
      await clean(page, 'reset request');
      await page.getByLabel('E-mail').fill(user.email);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
      await clean(page, 'reset sent');
      await page.goto(linkIn(await sink.next(user.email), '/auth/password-reset/confirm'));
      await page.getByLabel('New password').waitFor();
      await clean(page, 'reset new password');
      // Long enough for the browser, too common for the server.
      await page.getByLabel('New password').fill('password');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByRole('alert').waitFor();
      await clean(page, 'reset new password refused');

      // An invitation's page.
      const invited = `invited-${crypto.randomUUID()}@example.com`;
      const invitation = await call(svc, admin, 'POST', `/tenants/${svc.fixture.tenant.id}/invitations`, {
        email: invited,
        role: 'Agent',
      });
      expect(invitation.statusCode, invitation.body).toBe(201);
      await page.goto(linkIn(await sink.next(invited), '/auth/invitation'));
      await page.getByRole('heading', { level: 1 }).waitFor();
      await clean(page, 'invitation');

      // E-mail verification at sign-in: the page that says a link was mailed, then the link's page.
      const strict = await svc.addTenant({ name: `Verified ${crypto.randomUUID().slice(0, 8)}` });
      await svc.storage.tenants.setEmailVerificationRequired(strict.id, true, new Date());
      const { user: unverified } = await signInUser(svc, { tenant: strict });
      await context.clearCookies();
      await openSignIn(page);
      await typePassword(page, unverified.email);
      await page.getByRole('heading', { name: 'Verify your e-mail address' }).waitFor();
      await clean(page, 'verification sent');
      await page.goto(linkIn(await sink.next(unverified.email), '/auth/email-verification/confirm'));
      await page.getByRole('button', { name: 'Verify my address' }).waitFor();
      await clean(page, 'verification link');
    } finally {
      await context.close();
    }
  }, 180_000);
}

describe('the sign-in form by keyboard', () => {
  it('tabs e-mail → password → Sign in → passkey → Forgot password?, labels every input, announces errors', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const { user } = await signInUser(svc);
      await openSignIn(page);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      // The focus starts in the first field.
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el?.id || el?.textContent?.trim() || el?.tagName || '';
        });
      expect(await focused()).toBe('username');
      const order = [await focused()];
      for (let i = 0; i < 4; i += 1) {
        await page.keyboard.press('Tab');
        order.push(await focused());
      }
      expect(order).toEqual(['username', 'password', 'Sign in', 'passkey-button', 'Forgot password?']);
      // Every visible input has a programmatic label (its accessible name).
      const unlabelled = await page.evaluate(() =>
        Array.from(document.querySelectorAll('input:not([type=hidden])'))
          .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label'))
          .map((el) => el.id),
      );
      expect(unlabelled).toEqual([]);
      expect(await page.getByRole('textbox', { name: 'E-mail' }).count()).toBe(1);
      expect(await page.getByLabel('Password').count()).toBe(1);

      // A wrong password, by keyboard alone: the error is an alert, both fields point at it, and the
      // focus is in the password field (the e-mail is kept).
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('username');
      await page.keyboard.type(user.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('not the password');
      await page.keyboard.press('Enter');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('The e-mail address or password is not correct.');
      const errorId = await alert.getAttribute('id');
      for (const field of ['username', 'password']) {
        const input = page.locator(`#${field}`);
        expect(await input.getAttribute('aria-describedby')).toBe(errorId);
        expect(await input.getAttribute('aria-invalid')).toBe('true');
      }
      expect(await page.locator('#username').inputValue()).toBe(user.email);
      expect(await focused()).toBe('password');

      // The TOTP step: focus in the code field, its hint and (after a wrong code) the error describe it.
      const { user: totpUser } = await signInUser(svc, { totp: true });
      await openSignIn(page);
      await typePassword(page, totpUser.email);
      await page.getByLabel('6-digit code').waitFor();
      expect(await focused()).toBe('otp');
      await page.keyboard.type('000000');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').waitFor();
      expect(await focused()).toBe('otp');
      expect(await page.locator('#otp').getAttribute('aria-describedby')).toBe('form-error otp-hint');
    } finally {
      await context.close();
    }
  }, 120_000);
});

describe('without JavaScript', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
  });
  afterAll(async () => context?.close());

  it('the sign-in page says a passkey needs JavaScript, and hides the passkey button', async () => {
    const page = await context.newPage();
    await openSignIn(page);
    // (Playwright's text selectors skip <noscript>: the paragraph is found by its place.)
    const said = page.locator('noscript > p.hint');
    expect(await said.isVisible()).toBe(true);
    expect(await said.textContent()).toContain('Signing in with a passkey needs JavaScript, which is off');
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Forgot password?' }).getAttribute('href')).toBe(
      '/auth/password-reset',
    );
    await page.close();
  }, 60_000);

  it('the passkey step says it needs JavaScript and offers another way and the password reset', async () => {
    const page = await context.newPage();
    const { user } = await signInUser(svc);
    await addPasskey(user, 'Only key');
    await openSignIn(page);
    await typePassword(page, user.email);
    await page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
    await page.getByText('This account signs in with one of its passkeys.').waitFor();
    await page.getByText('Using a passkey needs JavaScript, which is off in this browser').waitFor();
    // The script's button never shows without the script.
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(false);
    const reset = page.getByRole('link', { name: /Forgot your password\?/ });
    expect(await reset.getAttribute('href')).toBe('/auth/password-reset');

    // "Sign in another way": the first form again, as a plain post.
    await page.getByRole('button', { name: 'Sign in another way' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Password').waitFor();
    await typePassword(page, user.email);
    await page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
    await reset.click();
    await page.getByRole('button', { name: 'Send the link' }).waitFor();
    await page.close();
  }, 60_000);

  it('the passkeys page renames a passkey as a plain form, refusing control characters', async () => {
    const page = await context.newPage();
    const { user } = await signInUser(svc);
    // Signed in with the password alone; the passkey comes after (else the passkey step would ask for it).
    await signInWithPassword(page, user.email);
    const again = await addPasskey(user, 'Laptop');
    await page.goto(`${svc.url}/auth/passkeys`);
    await page.getByLabel('New name for passkey Laptop').fill('  Work laptop  ');
    await page.getByRole('button', { name: 'Rename passkey Laptop' }).click();
    await page.getByText('Renamed the passkey to Work laptop.').waitFor();
    expect((await svc.storage.passkeys.listForUser(user.id))[0]?.name).toBe('Work laptop');
    const renamed = async () =>
      (await svc.storage.auditEvents.list({ type: 'passkey.renamed', limit: 100 })).filter(
        (e) => e.subject === `user:${user.id}`,
      );
    await expect.poll(async () => (await renamed()).length).toBe(1);
    expect((await renamed())[0]).toMatchObject({
      actor: `user:${user.id}`,
      details: { passkeyId: again.id },
    });

    await page.getByLabel('New name for passkey Work laptop').fill('tab\there');
    await page.getByRole('button', { name: 'Rename passkey Work laptop' }).click();
    await page.getByRole('alert').filter({ hasText: 'cannot hold control characters' }).waitFor();
    expect((await svc.storage.passkeys.listForUser(user.id))[0]?.name).toBe('Work laptop');
    await page.close();
  }, 60_000);
});

it("another person cannot rename someone's passkey through the passkeys page, nor a forged form", async () => {
  const context = await browser.newContext();
  try {
    const { user: owner } = await signInUser(svc);
    const theirs = await addPasskey(owner, 'Owner key');
    const { user: other } = await signInUser(svc);
    const page = await context.newPage();
    // The other person signs in (a password alone), then has a passkey of their own to rename.
    await signInWithPassword(page, other.email);
    await addPasskey(other, 'My key');
    await page.goto(`${svc.url}/auth/passkeys`);
    // The page's own rename form, pointed at the owner's passkey.
    await page
      .locator('input[name="op"][value="rename"] ~ input[name="id"]')
      .first()
      .evaluate((el, id) => {
        (el as HTMLInputElement).value = id;
      }, theirs.id);
    await page.getByLabel('New name for passkey My key').fill('Stolen');
    const answered = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Rename passkey My key' }).click();
    expect((await answered).status()).toBe(404);
    await page.getByRole('alert').filter({ hasText: 'That passkey is not yours' }).waitFor();
    expect((await svc.storage.passkeys.listForUser(owner.id)).map((p) => p.name)).toEqual(['Owner key']);
    expect((await svc.storage.passkeys.listForUser(other.id)).map((p) => p.name)).toEqual(['My key']);

    // Its own passkey, with another CSRF token (a form forged elsewhere): refused, nothing renamed.
    const mine = page.locator('form:has(input[name="op"][value="rename"])').first();
    await mine.locator('input[name="csrf"]').evaluate((el) => {
      (el as HTMLInputElement).value = 'forged';
    });
    await page.getByLabel('New name for passkey My key').fill('Forged');
    const forged = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Rename passkey My key' }).click();
    expect((await forged).status()).toBe(400);
    expect((await svc.storage.passkeys.listForUser(other.id)).map((p) => p.name)).toEqual(['My key']);
  } finally {
    await context.close();
  }
}, 60_000);

// Last: the identity provider it adds makes the sign-in page ask for the address first.
it('finds no violation on the identifier page and on the password step after it', async () => {
  const fake = await startFakeIdp({ clientId: 'cxauth-client' });
  const context = await browser.newContext();
  try {
    const tenant = await svc.addTenant({ name: `sso-${crypto.randomUUID()}` });
    const service = createAdminService(svc.storage, svc.hasher, () => svc.clock.now(), {
      credentials: { kek: svc.kek, issuer: svc.config.issuer },
    });
    await service.createIdentityProvider(tenant.id, {
      kind: 'oidc',
      name: 'Claims a domain',
      domains: ['a11y-sso.test'],
      oidc: { issuer: fake.issuer, client_id: 'cxauth-client', client_secret: 'upstream-secret' },
    });
    const { user } = await signInUser(svc);
    const page = await context.newPage();
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    await openSignIn(page);
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    expect(await focused()).toBe('username');
    await clean(page, 'identifier');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Enter');
    await page.getByLabel('Password').waitFor();
    // The address is kept; the person types the password next.
    expect(await page.getByLabel('E-mail').inputValue()).toBe(user.email);
    expect(await focused()).toBe('password');
    await clean(page, 'password step');
  } finally {
    await context.close();
    await fake.close();
  }
}, 60_000);
