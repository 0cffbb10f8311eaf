// Self-service password reset end to end: a local SMTP sink in the test process, the mailed link
// followed in Chromium. The mail waits in the outbox while SMTP is down and goes out when it returns;
// the answer is the same for an unknown e-mail, which is sent nothing; a link works once, expires, and
// sets only its own tenant's account; after a reset the old sessions and refresh tokens are dead.
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import type { Application, Tenant } from '../src/domain/types.js';
import { tokenRequest } from './support/http.js';
import { type MailTestService, startMailTestService } from './support/mail-service.js';
import type { TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  PASSWORD,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
  refreshStatus,
  signInUser,
} from './support/sign-in.js';
import { linkIn } from './support/smtp-sink.js';

const CONFIRM = '/auth/password-reset/confirm';
const NEW_PASSWORD = 'a brand new passphrase 7';

let svc: TestService;
let app: Application;
let mailing: MailTestService;
let chromium: Chromium;

beforeAll(async () => {
  // A port with no SMTP server yet: the first test starts it late.
  // SMTP is down until the first test starts the sink.
  mailing = await startMailTestService({});
  svc = mailing.svc;
  app = await publicApp(svc);
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await mailing?.close();
});

/** Asks for a reset of `email` through the form, as a browser without JavaScript would. */
async function requestReset(email: string, browser = new Browser(svc.app)) {
  const page = await browser.get('/auth/password-reset');
  expect(page.statusCode).toBe(200);
  return browser.post('/auth/password-reset', { ...hiddenInputs(page.body), email });
}

/** Signs `email` in on the hosted page with `password`; the code exchanged when it worked. */
async function signIn(email: string, password: string, address?: string) {
  const browser = new Browser(svc.app, address);
  const p = pkce();
  const page = await browser.get(`/auth/authorize?${authorizeQuery(app, p)}`);
  const res = await browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: email,
    password,
  });
  if (res.statusCode !== 302) return { ok: false as const, browser };
  const tokens = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code: redirectParams(res).get('code') as string,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });
  expect(tokens.statusCode).toBe(200);
  return {
    ok: true as const,
    browser,
    refreshToken: (tokens.json() as { refresh_token: string }).refresh_token,
  };
}

const heading = (body: string) => body.match(/<h1>([^<]*)<\/h1>/)?.[1];
const userOf = async (tenant: Tenant, email: string) => (await signInUser(svc, { tenant, email })).user;

describe('password reset', () => {
  it('keeps the mail while SMTP is down and delivers it when SMTP returns', async () => {
    const email = `down-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, email);
    const res = await requestReset(email);
    expect(res.statusCode).toBe(200);
    expect(heading(res.body)).toBe('Check your mail');
    // The worker tries, fails, and keeps the mail for a later attempt.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await svc.storage.people.pendingMail()).toBe(1);
    const mail = await (await mailing.sinkUp()).next(email);
    expect(mail.text).toContain('Reset your password');
    expect(linkIn(mail, CONFIRM)).toContain(`${svc.url}${CONFIRM}?token=`);
  }, 30_000);

  it('follows the mailed link in Chromium, sets the new password and ends the old sessions', async () => {
    const email = `reset-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, email);
    const before = await signIn(email, PASSWORD);
    expect(before.ok).toBe(true);
    if (!before.ok) return;

    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(app, pkce())}`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    const mail = await mailing.sink().next(email);
    await page.goto(linkIn(mail, CONFIRM));
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    // The person is told it happened.
    const notice = await mailing.sink().next(email);
    expect(notice.text).toContain('Your password was changed');
    // Every old session is dead: the refresh token and the browser's sign-in.
    expect(await refreshStatus(svc, app, before.refreshToken)).toBe(400);
    const again = await before.browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    expect(again.statusCode).toBe(200);
    expect(heading(again.body)).toBe('Sign in');
    // The old password no longer works; the new one does, in Chromium too.
    expect((await signIn(email, PASSWORD)).ok).toBe(false);
    expect((await signIn(email, NEW_PASSWORD)).ok).toBe(true);
    const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
    await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(app, pkce())}`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL((await landing).url()).searchParams.get('code')).toBeTruthy();
    await context.close();
    // Audited (the trail stores in batches).
    await expect
      .poll(async () => (await svc.storage.auditEvents.list({ type: 'user.password_reset' })).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
  }, 90_000);

  it('answers an unknown e-mail alike and sends it nothing', async () => {
    const known = `known-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, known);
    const unknown = `nobody-${crypto.randomUUID()}@example.com`;
    const a = await requestReset(known);
    const b = await requestReset(unknown);
    expect(b.statusCode).toBe(a.statusCode);
    const strip = (s: string) => s.replace(/nonce-[^']+'|nonce="[^"]+"/g, '');
    expect(strip(b.body)).toBe(strip(a.body));
    await mailing.sink().next(known);
    await new Promise((r) => setTimeout(r, 700));
    expect(mailing.sink().mails.some((m) => m.to.includes(unknown))).toBe(false);
  }, 30_000);

  it('refuses a link used twice, an expired link, a tampered one, and a common password', async () => {
    const email = `twice-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, email);
    await requestReset(email);
    const link = new URL(linkIn(await mailing.sink().next(email), CONFIRM));
    const path = `${link.pathname}${link.search}`;
    const browser = new Browser(svc.app);
    const page = await browser.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const common = await browser.post(CONFIRM, { ...hiddenInputs(page.body), password: 'password123' });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain('too common');
    const short = await browser.post(CONFIRM, { ...hiddenInputs(page.body), password: 'short' });
    expect(short.body).toContain('at least 8 characters');
    const ok = await browser.post(CONFIRM, { ...hiddenInputs(page.body), password: NEW_PASSWORD });
    expect(heading(ok.body)).toBe('Password changed');
    expect((await mailing.sink().next(email)).text).toContain('Your password was changed');
    // Used: neither the link nor the same form works again.
    expect((await browser.get(path)).statusCode).toBe(400);
    const replay = await browser.post(CONFIRM, {
      ...hiddenInputs(page.body),
      password: 'another new passphrase',
    });
    expect(replay.statusCode).toBe(400);
    expect(heading(replay.body)).toBe('This link does not work');
    // Tampered token.
    const tampered = `${path.slice(0, -2)}${path.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await browser.get(tampered)).statusCode).toBe(400);

    // Expired: past CXAUTH_RESET_LINK_TTL the link is refused.
    await requestReset(email);
    const late = new URL(linkIn(await mailing.sink().next(email), CONFIRM));
    mailing.shift(MAIL_DEFAULTS.resetLinkTtl + 1);
    try {
      expect((await browser.get(`${late.pathname}${late.search}`)).statusCode).toBe(400);
    } finally {
      mailing.shift(0);
    }
  }, 30_000);

  it('spends every other link of the user when one sets the password', async () => {
    // Two links asked for (the first mail seemed lost): setting the password with the second must
    // leave the first useless, or whoever reads the older mail later could set the password again.
    const email = `older-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, email);
    await requestReset(email);
    const older = new URL(linkIn(await mailing.sink().next(email), CONFIRM));
    await requestReset(email);
    const newer = new URL(linkIn(await mailing.sink().next(email), CONFIRM));
    const browser = new Browser(svc.app);
    const olderPage = await browser.get(`${older.pathname}${older.search}`);
    expect(olderPage.statusCode).toBe(200);
    const newerPage = await browser.get(`${newer.pathname}${newer.search}`);
    const done = await browser.post(CONFIRM, { ...hiddenInputs(newerPage.body), password: NEW_PASSWORD });
    expect(heading(done.body)).toBe('Password changed');
    expect((await mailing.sink().next(email)).text).toContain('Your password was changed');
    // The older link, and its form opened before, set nothing now.
    expect((await browser.get(`${older.pathname}${older.search}`)).statusCode).toBe(400);
    const late = await browser.post(CONFIRM, {
      ...hiddenInputs(olderPage.body),
      password: 'an attacker chosen passphrase',
    });
    expect(late.statusCode).toBe(400);
    expect(heading(late.body)).toBe('This link does not work');
    expect((await signIn(email, NEW_PASSWORD)).ok).toBe(true);
  }, 30_000);

  it('mails a link on the issuer whatever the Host header, and sets the password once of two parallel posts', async () => {
    const email = `host-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, email);
    const browser = new Browser(svc.app);
    const form = hiddenInputs((await browser.get('/auth/password-reset')).body);
    const res = await svc.app.inject({
      method: 'POST',
      url: '/auth/password-reset',
      headers: {
        cookie: browser.cookieHeader,
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ ...form, email }).toString(),
    });
    expect(res.statusCode).toBe(200);
    const mail = await mailing.sink().next(email);
    expect(mail.text).not.toContain('evil.example');
    const link = new URL(linkIn(mail, CONFIRM));
    expect(link.origin).toBe(new URL(svc.config.issuer).origin);
    // Two posts of one link at once: exactly one sets a password.
    const page = await browser.get(`${link.pathname}${link.search}`);
    const fields = hiddenInputs(page.body);
    const answers = await Promise.all(
      ['first parallel passphrase', 'second parallel passphrase'].map((password) =>
        browser.post(CONFIRM, { ...fields, password }),
      ),
    );
    expect(answers.map((a) => heading(a.body)).sort()).toEqual([
      'Password changed',
      'This link does not work',
    ]);
  }, 30_000);

  it("sets only its own tenant's account: tenant A's link never works for tenant B", async () => {
    const email = `both-${crypto.randomUUID()}@example.com`;
    const tenantB = await svc.addTenant({ name: 'Tenant B' });
    const a = await userOf(svc.fixture.tenant, email);
    const b = await userOf(tenantB, email);
    await requestReset(email);
    const first = await mailing.sink().next(email);
    const second = await mailing.sink().next(email);
    const links = [first, second].map((m) => new URL(linkIn(m, CONFIRM)));
    const browser = new Browser(svc.app);
    // Find tenant A's link by the tenant its page names.
    let linkA: URL | undefined;
    for (const l of links) {
      const page = await browser.get(`${l.pathname}${l.search}`);
      if (page.body.includes(svc.fixture.tenant.name) && !page.body.includes('Tenant B')) linkA = l;
    }
    expect(linkA).toBeDefined();
    const page = await browser.get(`${linkA?.pathname}${linkA?.search}`);
    const done = await browser.post(CONFIRM, { ...hiddenInputs(page.body), password: NEW_PASSWORD });
    expect(heading(done.body)).toBe('Password changed');
    const credsA = await svc.storage.signIn.credentials(a.id);
    const credsB = await svc.storage.signIn.credentials(b.id);
    expect(credsA?.passwordHash).not.toBe(credsB?.passwordHash);
    // Tenant B's account keeps its password.
    const bSignIn = await signIn(email, PASSWORD);
    expect(bSignIn.ok).toBe(true);
  }, 30_000);

  it("limits an address's reset requests on a counter of their own, never delaying its sign-ins", async () => {
    // Many people behind one NAT: more requests than the address allowance, for e-mails of nobody.
    const nat = '127.0.31.7';
    const browser = new Browser(svc.app, nat);
    const form = hiddenInputs((await browser.get('/auth/password-reset')).body);
    const answer = async (email: string) => {
      const res = await browser.post('/auth/password-reset', { ...form, email });
      expect(res.statusCode).toBe(200);
      return heading(res.body);
    };
    const first = await answer(`nobody-0@${crypto.randomUUID()}.example`);
    for (let i = 1; i <= svc.config.throttling.addressFailures; i++) {
      expect(await answer(`nobody-${i}@${crypto.randomUUID()}.example`)).toBe(first);
    }
    // Past the allowance the answer is the same, and a known e-mail is sent nothing from there.
    const known = `behind-nat-${crypto.randomUUID()}@example.com`;
    await userOf(svc.fixture.tenant, known);
    expect(await answer(known)).toBe(first);
    await new Promise((r) => setTimeout(r, 700));
    expect(mailing.sink().mails.some((m) => m.to.includes(known))).toBe(false);
    // The same address still signs in: the resets never touched its sign-in counter.
    expect((await signIn(known, PASSWORD, nat)).ok).toBe(true);
  }, 60_000);
});
