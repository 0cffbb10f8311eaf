// E-mail verification at sign-in end to end (docs/people.md), with a local SMTP sink: a tenant's
// Administrator turns `email_verification_required` on (another tenant's cannot); an unverified person
// who signs in gets the "check your mail" page instead of a code, follows the mailed link in Chromium
// and the sign-in goes on to the app (id_token `email_verified: true`); the link works once, expires,
// and opened in another browser only says to sign in again; "send it again" is throttled behind the
// same answer; the password grant is refused until the address is verified; a tenant without the
// switch signs in at once and mails nothing. On SQLite and PostgreSQL.
import { decodeJwt } from 'jose';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import { THROTTLE_DEFAULTS } from '../src/config/throttling.js';
import { DEVICE_CODE } from '../src/domain/app-types.js';
import type { Application, Tenant, User } from '../src/domain/types.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { basic, claimsOf, FORM, form, tokenRequest } from './support/http.js';
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
  signInUser,
} from './support/sign-in.js';
import { linkIn } from './support/smtp-sink.js';
import { pgUnavailable } from './support/storage-db.js';

const CONFIRM = '/auth/email-verification/confirm';
const RESEND = '/auth/email-verification';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('e-mail verification at sign-in (%s)', (dialect) => {
  let mailing: MailTestService;
  let svc: TestService;
  let chromium: Chromium;
  let app: Application;
  /** The tenant that requires verified addresses, and its Administrator. */
  let strict: Tenant;
  let strictAdmin: Actor;

  beforeAll(async () => {
    mailing = await startMailTestService({
      dialect,
      application: ADMIN_APP,
      sink: true,
      // A throttled "send again" stays throttled for the whole test.
      config: { throttling: { ...THROTTLE_DEFAULTS, baseDelay: 300 } },
    });
    svc = mailing.svc;
    app = await publicApp(svc);
    strict = await svc.addTenant({ name: 'Strict' });
    // Verified: its own admin token comes through the password grant, which the switch also guards.
    strictAdmin = await actor(svc, strict, { role: role('Administrator'), emailVerified: true });
    await requireVerification(strict, strictAdmin);
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await mailing?.close();
  });

  /** `admin` makes its tenant require a verified e-mail address at sign-in (admin API, with its ETag). */
  async function requireVerification(tenant: Tenant, admin: Actor) {
    const now = await call(svc, admin, 'GET', `/tenants/${tenant.id}`);
    const on = await call(
      svc,
      admin,
      'PATCH',
      `/tenants/${tenant.id}`,
      { email_verification_required: true },
      { 'if-match': String(now.headers.etag) },
    );
    expect(on.statusCode, on.body).toBe(200);
  }

  const heading = (body: string) => body.match(/<h1>([^<]*)<\/h1>/)?.[1];
  const status = (body: string) => body.match(/role="status">(.*?)<\/p>/s)?.[1];
  const person = async (tenant: Tenant) =>
    (await signInUser(svc, { tenant, email: `p-${crypto.randomUUID()}@example.com` })).user;

  /** Signs `user` in on the hosted page (no JavaScript): the answer, and the PKCE verifier. */
  async function signIn(user: User, browser = new Browser(svc.app), scope = 'openid') {
    const p = pkce();
    const form = await browser.get(`/auth/authorize?${authorizeQuery(app, p, { scope })}`);
    const res = await browser.post('/auth/authorize', {
      ...hiddenInputs(form.body),
      username: user.email,
      password: PASSWORD,
    });
    return { res, browser, verifier: p.verifier };
  }

  const exchange = (code: string, verifier: string) =>
    tokenRequest(svc.app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: app.clientId,
    });

  /** The password grant of an access key of `user` (RFC 6749 §4.3). */
  async function passwordGrant(key: { id: string; secret: string }) {
    return tokenRequest(
      svc.app,
      { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid' },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
  }

  /** The mails to `email` the sink holds once the outbox has nothing pending. */
  async function settledMails(email: string): Promise<number> {
    await expect.poll(() => svc.storage.people.pendingMail(), { timeout: 10_000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    return mailing.sink().mails.filter((m) => m.to.includes(email)).length;
  }

  describe('the tenant switch', () => {
    it('is shown, audited, and off by default', async () => {
      const shown = await call(svc, strictAdmin, 'GET', `/tenants/${strict.id}`);
      expect(shown.json()).toMatchObject({ email_verification_required: true });
      const fixture = await call(
        svc,
        await actor(svc, svc.fixture.tenant, { role: role('Administrator') }),
        'GET',
        `/tenants/${svc.fixture.tenant.id}`,
      );
      expect(fixture.json()).toMatchObject({ email_verification_required: false });
      await expect
        .poll(async () =>
          (await svc.storage.auditEvents.list({ type: 'tenant.changed' })).some(
            (e) => e.tenantId === strict.id && e.details?.['email_verification_required'] === true,
          ),
        )
        .toBe(true);
    });

    it("cannot be set by another tenant's Administrator, nor by a tenant's non-Administrator", async () => {
      const otherAdmin = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
      const cross = await call(svc, otherAdmin, 'PATCH', `/tenants/${strict.id}`, {
        email_verification_required: false,
      });
      expect(cross.statusCode).toBe(404);
      // A user of the tenant who is no Administrator gets no admin scope; without it, no admin API.
      const agent = await actor(svc, strict, { role: role('Agent'), emailVerified: true }, 'openid');
      const own = await call(svc, agent, 'PATCH', `/tenants/${strict.id}`, {
        email_verification_required: false,
      });
      expect([401, 403]).toContain(own.statusCode);
      expect((await svc.storage.tenants.get(strict.id))?.emailVerificationRequired).toBe(true);
      // Not a boolean: refused by the schema.
      const bad = await call(svc, strictAdmin, 'PATCH', `/tenants/${strict.id}`, {
        email_verification_required: 'yes',
      });
      expect(bad.statusCode).toBe(400);
    });

    it('can be given when an operator creates a tenant', async () => {
      const operator = await actor(svc, svc.fixture.tenant, { operator: true });
      const made = await call(svc, operator, 'POST', '/tenants', {
        name: `ev-${crypto.randomUUID().slice(0, 8)}`,
        area: svc.fixture.tenant.area,
        email_verification_required: true,
      });
      expect(made.statusCode, made.body).toBe(201);
      expect(made.json()).toMatchObject({ email_verification_required: true });
      const admin = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
      const refused = await call(svc, admin, 'POST', '/tenants', {
        name: `ev-${crypto.randomUUID().slice(0, 8)}`,
        area: svc.fixture.tenant.area,
        email_verification_required: true,
      });
      expect(refused.statusCode).toBe(403);
    });
  });

  describe('sign-in of an unverified person of a tenant that requires it', () => {
    it('mails a link, which in Chromium verifies the address and goes on to the app with a code', async () => {
      const user = await person(strict);
      const key = await svc.addAccessKey(user);
      // The password grant issues nothing before the address is verified.
      const early = await passwordGrant(key);
      expect(early.statusCode).toBe(400);
      expect(early.json()).toMatchObject({ error: 'invalid_grant' });
      expect(early.json().error_description).toMatch(/e-mail address .* not verified/);

      const context = await chromium.newContext();
      const page = await context.newPage();
      const p = pkce();
      await page.goto(`${svc.url}/auth/authorize?${authorizeQuery(app, p, { scope: 'openid email' })}`);
      await page.getByLabel('E-mail').fill(user.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Verify your e-mail address' }).waitFor();
      const said = await page.getByRole('status').textContent();
      // The address masked: the page may be seen by whoever typed a password.
      expect(said).toContain(`p***@example.com`);
      expect(said).not.toContain(user.email);
      expect(await page.getByRole('button', { name: 'Send the link again' }).count()).toBe(1);

      const mail = await mailing.sink().next(user.email);
      expect(mail.text).toContain('Verify your e-mail address');
      expect(mail.text).toContain('Strict');
      const url = linkIn(mail, CONFIRM);
      expect(url).toContain(`${svc.url}${CONFIRM}?token=`);
      // The token is stored only as its keyed hash.
      const token = new URL(url).searchParams.get('token') as string;
      expect(await svc.storage.people.getVerification(Buffer.from(token))).toBeUndefined();
      expect(await svc.storage.people.getVerification(svc.hasher.hash(token))).toMatchObject({
        userId: user.id,
        usedAt: null,
      });

      const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
      const opened = await page.goto(url);
      expect(opened?.headers()['referrer-policy']).toBe('no-referrer');
      await page.getByRole('button', { name: 'Verify my address' }).click();
      const code = new URL((await landing).url()).searchParams.get('code') as string;
      expect(code).toBeTruthy();
      const tokens = await exchange(code, p.verifier);
      expect(tokens.statusCode, tokens.body).toBe(200);
      expect(decodeJwt(tokens.json().id_token)).toMatchObject({ name: user.email, email_verified: true });
      expect((await svc.storage.users.get(user.id))?.emailVerified).toBe(true);
      await expect
        .poll(async () =>
          (await svc.storage.auditEvents.list({ type: 'user.email_verified' })).some(
            (e) => e.subject === `user:${user.id}` && e.tenantId === strict.id,
          ),
        )
        .toBe(true);

      // Used once: the same link again, in any browser, is refused with the page reset links get.
      const again = await new Browser(svc.app).get(`${CONFIRM}?token=${token}`);
      expect(again.statusCode).toBe(400);
      expect(heading(again.body)).toBe('This link does not work');
      const replay = await (await context.newPage()).goto(url);
      expect(replay?.status()).toBe(400);
      await context.close();

      // Verified: the password grant now answers, and the next sign-in gets its code at once.
      expect((await passwordGrant(key)).statusCode).toBe(200);
      const next = await signIn(user);
      expect(next.res.statusCode).toBe(302);
      expect(redirectParams(next.res).get('code')).toBeTruthy();
    }, 90_000);

    it('verifies in another browser too, which then says to sign in again', async () => {
      const user = await person(strict);
      const first = await signIn(user);
      expect(first.res.statusCode).toBe(200);
      expect(heading(first.res.body)).toBe('Verify your e-mail address');
      expect(first.res.headers.location).toBeUndefined();
      const url = linkIn(await mailing.sink().next(user.email), CONFIRM);

      const context = await chromium.newContext();
      const page = await context.newPage();
      await page.goto(url);
      await page.getByRole('button', { name: 'Verify my address' }).click();
      await page.getByRole('heading', { name: 'Address verified' }).waitFor();
      expect(await page.getByRole('status').textContent()).toContain('sign in again');
      await context.close();

      // The first browser's sign-in was never given a code; now the next authorization request is.
      const again = await first.browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
      expect(again.statusCode).toBe(302);
      expect(redirectParams(again).get('code')).toBeTruthy();
    }, 60_000);

    /** A device authorization of `cli` (a new first-party app with the grant unless given). */
    const startDevice = async (given?: Application) => {
      const cli =
        given ??
        (await publicApp(svc, {
          name: 'Device CLI',
          grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE] as Application['grantTypes'],
        }));
      const started = await svc.app.inject({
        method: 'POST',
        url: '/auth/device',
        headers: { 'content-type': FORM },
        payload: form({ client_id: cli.clientId, scope: 'openid' }),
      });
      expect(started.statusCode, started.body).toBe(200);
      const body = started.json() as { device_code: string; user_code: string; expires_in: number };
      const poll = () =>
        tokenRequest(svc.app, {
          grant_type: DEVICE_CODE,
          device_code: body.device_code,
          client_id: cli.clientId,
        });
      return { cli, userCode: body.user_code, expiresIn: body.expires_in, poll };
    };

    /** Enters `userCode` in `browser` and signs `user` in there: the page that follows. */
    const signInForDevice = async (browser: Browser, userCode: string, user: User) => {
      const entry = await browser.get(`/auth/device/verify?user_code=${encodeURIComponent(userCode)}`);
      const signInForm = await browser.post('/auth/device/verify', {
        ...hiddenInputs(entry.body),
        user_code: userCode,
      });
      return browser.post('/auth/device/verify', {
        ...hiddenInputs(signInForm.body),
        username: user.email,
        password: PASSWORD,
      });
    };

    /**
     * A device authorization whose sign-in in `browser` waits for the e-mail address of `user`; the
     * person signs in `lateBy` seconds before the device code expires, when given.
     */
    const deviceWaitingForEmail = async (lateBy?: number) => {
      const { cli, userCode, expiresIn, poll } = await startDevice();
      if (lateBy !== undefined) mailing.shift(expiresIn - lateBy);
      const user = await person(strict);
      const browser = new Browser(svc.app);
      const pending = await signInForDevice(browser, userCode, user);
      expect(heading(pending.body)).toBe('Verify your e-mail address');
      expect((await poll()).json()).toMatchObject({ error: 'authorization_pending' });
      return { cli, user, browser, poll, expiresIn };
    };

    it("goes on with a device's sign-in to its confirmation, which the person still answers (RFC 8628)", async () => {
      const { cli, user, browser, poll } = await deviceWaitingForEmail();
      const path = new URL(linkIn(await mailing.sink().next(user.email), CONFIRM));
      const link = await browser.get(`${path.pathname}${path.search}`);
      const confirm = await browser.post(CONFIRM, hiddenInputs(link.body));
      // Verified, and this browser's sign-in goes on: to the device's confirmation, not to a token.
      expect(confirm.statusCode, confirm.body).toBe(200);
      expect(confirm.body).toContain('name="decision"');
      expect(confirm.body).toContain('Device CLI');
      expect((await svc.storage.users.get(user.id))?.emailVerified).toBe(true);

      const done = await browser.post('/auth/device/verify', {
        ...hiddenInputs(confirm.body),
        decision: 'allow',
      });
      expect(done.statusCode, done.body).toBe(200);
      // The device waited its interval (RFC 8628 §3.5) before asking again.
      mailing.shift(6);
      const tokens = await poll().finally(() => mailing.shift(0));
      expect(tokens.statusCode, tokens.body).toBe(200);
      expect(claimsOf(tokens.json().access_token)).toMatchObject({
        sub: `user:${user.id}`,
        client_id: cli.clientId,
      });

      // The confirmation is this browser's: the same form posted from another one counts for nothing.
      const other = await new Browser(svc.app).post('/auth/device/verify', {
        ...hiddenInputs(confirm.body),
        decision: 'allow',
      });
      expect(other.statusCode).toBe(403);
    }, 60_000);

    it('asks a signed-in person to verify the address before answering another device', async () => {
      const { cli, browser } = await deviceWaitingForEmail();
      // A second device, entered in the browser whose sign-in waits for the address: no answer yet.
      const second = await startDevice(cli);
      const entry = await browser.get(`/auth/device/verify?user_code=${encodeURIComponent(second.userCode)}`);
      const next = await browser.post('/auth/device/verify', {
        ...hiddenInputs(entry.body),
        user_code: second.userCode,
      });
      expect(next.statusCode, next.body).toBe(200);
      expect(heading(next.body)).toBe('Verify your e-mail address');
      expect(next.body).not.toContain('name="decision"');
      const poll = await second.poll();
      expect(poll.json()).toMatchObject({ error: 'authorization_pending' });
      expect(await svc.storage.auditEvents.list({ type: 'device.approved', limit: 100 })).not.toContainEqual(
        expect.objectContaining({ details: expect.objectContaining({ clientId: cli.clientId }) }),
      );
    }, 60_000);

    it('lets Deny through but holds Allow when the tenant began to require the address after the form', async () => {
      const later = await svc.addTenant({ name: 'Later' });
      const laterAdmin = await actor(svc, later, { role: role('Administrator'), emailVerified: true });
      const { userCode } = await startDevice();
      const browser = new Browser(svc.app);
      const confirm = await signInForDevice(browser, userCode, await person(later));
      // Not required yet: the confirmation.
      expect(confirm.body).toContain('name="decision"');
      await requireVerification(later, laterAdmin);
      const allow = await browser.post('/auth/device/verify', {
        ...hiddenInputs(confirm.body),
        decision: 'allow',
      });
      expect(heading(allow.body)).toBe('Verify your e-mail address');
      // Denying hands nothing over: it needs no verified address.
      const deny = await browser.post('/auth/device/verify', {
        ...hiddenInputs(confirm.body),
        decision: 'deny',
      });
      expect(deny.statusCode, deny.body).toBe(200);
      expect(heading(deny.body)).toBe('Device not signed in');
    }, 60_000);

    it('says the address is verified when the device code expired while the person verified it', async () => {
      // The person signed in with a minute of the device code left, and verified the address after it.
      try {
        const { user, browser, poll, expiresIn } = await deviceWaitingForEmail(60);
        const path = new URL(linkIn(await mailing.sink().next(user.email), CONFIRM));
        mailing.shift(expiresIn + 1);
        const link = await browser.get(`${path.pathname}${path.search}`);
        const confirm = await browser.post(CONFIRM, hiddenInputs(link.body));
        expect(confirm.statusCode, confirm.body).toBe(400);
        expect(heading(confirm.body)).toBe('This code has expired');
        expect(confirm.body).toContain('Your e-mail address is verified, but the code has expired');
        expect(confirm.body).not.toContain('name="decision"');
        expect((await svc.storage.users.get(user.id))?.emailVerified).toBe(true);
        expect((await poll()).json()).toMatchObject({ error: 'expired_token' });
      } finally {
        mailing.shift(0);
      }
    }, 60_000);

    it('refuses an expired link, and its form does not verify', async () => {
      const user = await person(strict);
      await signIn(user);
      const path = new URL(linkIn(await mailing.sink().next(user.email), CONFIRM));
      const browser = new Browser(svc.app);
      const form = await browser.get(`${path.pathname}${path.search}`);
      expect(form.statusCode).toBe(200);
      mailing.shift(MAIL_DEFAULTS.resetLinkTtl + 1);
      try {
        const late = await browser.get(`${path.pathname}${path.search}`);
        expect(late.statusCode).toBe(400);
        expect(heading(late.body)).toBe('This link does not work');
        const posted = await browser.post(CONFIRM, hiddenInputs(form.body));
        expect(posted.statusCode).toBe(400);
      } finally {
        mailing.shift(0);
      }
      expect((await svc.storage.users.get(user.id))?.emailVerified).toBeUndefined();
    });

    it('refuses the form posted from another browser (CSRF) and a forged seal', async () => {
      const user = await person(strict);
      await signIn(user);
      const path = new URL(linkIn(await mailing.sink().next(user.email), CONFIRM));
      const form = await new Browser(svc.app).get(`${path.pathname}${path.search}`);
      const elsewhere = await new Browser(svc.app).post(CONFIRM, hiddenInputs(form.body));
      expect(elsewhere.statusCode).toBe(403);
      const forged = await new Browser(svc.app).post(CONFIRM, { interaction: 'x', csrf: 'y' });
      expect(forged.statusCode).toBe(400);
      expect((await svc.storage.users.get(user.id))?.emailVerified).toBeUndefined();
    });

    it('sends the link again, throttled per e-mail, with the same answer whatever happens', async () => {
      const user = await person(strict);
      const { res, browser } = await signIn(user);
      let page = res;
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) {
        page = await browser.post(RESEND, hiddenInputs(page.body));
        expect(page.statusCode).toBe(200);
        expect(heading(page.body)).toBe('Verify your e-mail address');
        answers.push(status(page.body) ?? '');
      }
      expect(new Set(answers).size).toBe(1);
      // One mail at sign-in and four again: the fifth is the allowance of one e-mail from one address.
      expect(await settledMails(user.email)).toBe(THROTTLE_DEFAULTS.pairFailures);
      // A resend form posted from another browser is refused.
      const other = await new Browser(svc.app).post(RESEND, hiddenInputs(page.body));
      expect(other.statusCode).toBe(403);
    }, 60_000);

    it('issues no code for a live browser sign-in of an unverified person either', async () => {
      const user = await person(strict);
      const { browser } = await signIn(user);
      await mailing.sink().next(user.email);
      // The browser holds a sign-in now; a second authorization request still gets no code.
      const again = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
      expect(again.statusCode).toBe(200);
      expect(heading(again.body)).toBe('Verify your e-mail address');
      const silent = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce(), { prompt: 'none' })}`);
      expect(silent.statusCode).toBe(302);
      expect(redirectParams(silent).get('error')).toBe('interaction_required');
      expect(redirectParams(silent).get('code')).toBeNull();
    });
  });

  describe('a session that began before the switch', () => {
    it('is not refreshed until the address is verified', async () => {
      const later = await svc.addTenant({ name: `later-${crypto.randomUUID().slice(0, 8)}` });
      const user = await person(later);
      const key = await svc.addAccessKey(user);
      const granted = await passwordGrant(key);
      expect(granted.statusCode).toBe(200);
      const refresh = () =>
        tokenRequest(
          svc.app,
          { grant_type: 'refresh_token', refresh_token: granted.json().refresh_token },
          { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
        );
      await svc.storage.tenants.setEmailVerificationRequired(later.id, true, svc.clock.now());
      const refused = await refresh();
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ error: 'invalid_grant' });
      expect(refused.json().error_description).toMatch(/not verified/);
      // The refused refresh spent nothing: once the address is verified, the same token refreshes.
      await svc.storage.people.markEmailVerified(user.id);
      expect((await refresh()).statusCode).toBe(200);
    });
  });

  describe('a tenant without the switch', () => {
    it('signs an unverified person in at once and mails nothing', async () => {
      const user = await person(svc.fixture.tenant);
      const { res, verifier } = await signIn(user);
      expect(res.statusCode).toBe(302);
      const tokens = await exchange(redirectParams(res).get('code') as string, verifier);
      expect(tokens.statusCode).toBe(200);
      expect(decodeJwt(tokens.json().id_token)).toMatchObject({ email_verified: false });
      expect((await passwordGrant(await svc.addAccessKey(user))).statusCode).toBe(200);
      expect(await settledMails(user.email)).toBe(0);
    });
  });
});
