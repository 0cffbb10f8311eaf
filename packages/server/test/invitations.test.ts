// Invitations end to end: an Administrator invites an e-mail through the admin API, the mail waits in
// the outbox while SMTP is down and goes out when it returns, the person follows the link in Chromium,
// sets a password and is signed in, with the invited role and the e-mail verified. A link works once,
// expires, and is refused once revoked; another tenant's Administrator cannot invite or revoke.
import { decodeJwt } from 'jose';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import type { Tenant } from '../src/domain/types.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { tokenRequest } from './support/http.js';
import { type MailTestService, startMailTestService } from './support/mail-service.js';
import type { TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
} from './support/sign-in.js';
import { linkIn } from './support/smtp-sink.js';

const ACCEPT = '/auth/invitation';
const PASSWORD = 'an invited passphrase 9';

let svc: TestService;
let mailing: MailTestService;
let chromium: Chromium;
let admin: Actor;
let other: Tenant;
let otherAdmin: Actor;

beforeAll(async () => {
  // SMTP is down until the first test starts the sink.
  mailing = await startMailTestService({ application: ADMIN_APP, mail: { invitationTtl: 3600 } });
  svc = mailing.svc;
  admin = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
  other = await svc.addTenant({ name: 'Other' });
  otherAdmin = await actor(svc, other, { role: role('Administrator') });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await mailing?.close();
});

const heading = (body: string) => body.match(/<h1>([^<]*)<\/h1>/)?.[1];
const invite = (email: string, r = 'Agent', who = admin, tenantId = svc.fixture.tenant.id) =>
  call(svc, who, 'POST', `/tenants/${tenantId}/invitations`, { email, role: r });

/** Invites `email` and returns the path (with the token) of the mailed link. */
async function invitedPath(email: string, r = 'Agent'): Promise<{ id: string; path: string }> {
  const res = await invite(email, r);
  expect(res.statusCode, res.body).toBe(201);
  const link = new URL(linkIn(await mailing.sink().next(email), ACCEPT));
  return { id: (res.json() as { id: string }).id, path: `${link.pathname}${link.search}` };
}

describe('invitations', () => {
  it('keeps the invitation mail while SMTP is down and delivers it when SMTP returns', async () => {
    const email = `down-${crypto.randomUUID()}@example.com`;
    const res = await invite(email);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ email, role: 'Agent', state: 'pending' });
    expect(res.body).not.toContain('token');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await svc.storage.people.pendingMail()).toBe(1);
    const mail = await (await mailing.sinkUp()).next(email);
    expect(mail.text).toContain('You are invited');
    expect(linkIn(mail, ACCEPT)).toContain(`${svc.url}${ACCEPT}?token=`);
  }, 30_000);

  it('follows the mailed link in Chromium, sets a password and is signed in with the invited role', async () => {
    const email = `new-${crypto.randomUUID()}@example.com`;
    const res = await invite(email, 'Supervisor');
    expect(res.statusCode).toBe(201);
    const mail = await mailing.sink().next(email);
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(linkIn(mail, ACCEPT));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('heading', { name: "You're signed in" }).waitFor();
    expect(await page.getByRole('link', { name: 'Go to the console' }).getAttribute('href')).toBe('/console');
    const cookies = await context.cookies();
    expect(cookies.some((c) => c.value !== '' && /session/.test(c.name))).toBe(true);
    await context.close();

    const [user] = await svc.storage.signIn.usersByEmail(email, svc.fixture.tenant.id);
    expect(user?.role.legacyId).toBe('Supervisor');
    expect(user?.emailVerified).toBe(true);
    // The admin API shows it, and the id_token and userinfo carry it (OIDC Core §5.1).
    const shown = await call(svc, admin, 'GET', `/users/${user?.id}`);
    expect(shown.json()).toMatchObject({ email, email_verified: true });
    const app = await publicApp(svc);
    const browser = new Browser(svc.app);
    const p = pkce();
    const form = await browser.get(`/auth/authorize?${authorizeQuery(app, p, { scope: 'openid email' })}`);
    const signedIn = await browser.post('/auth/authorize', {
      ...hiddenInputs(form.body),
      username: email,
      password: PASSWORD,
    });
    expect(signedIn.statusCode).toBe(302);
    const tokens = await tokenRequest(svc.app, {
      grant_type: 'authorization_code',
      code: redirectParams(signedIn).get('code') as string,
      redirect_uri: REDIRECT,
      code_verifier: p.verifier,
      client_id: app.clientId,
    });
    expect(tokens.statusCode, tokens.body).toBe(200);
    const { id_token, access_token } = tokens.json() as { id_token: string; access_token: string };
    expect(decodeJwt(id_token)).toMatchObject({ name: email, email_verified: true });
    const info = await svc.app.inject({
      method: 'GET',
      url: '/auth/userinfo',
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(info.json()).toMatchObject({ email, email_verified: true });
    const list = await call(svc, admin, 'GET', `/tenants/${svc.fixture.tenant.id}/invitations`);
    expect(list.statusCode).toBe(200);
    const items = (list.json() as { items: { email: string; state: string }[] }).items;
    expect(items.find((i) => i.email === email)?.state).toBe('accepted');
    await expect
      .poll(async () => (await svc.storage.auditEvents.list({ type: 'invitation.accepted' })).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    expect((await svc.storage.auditEvents.list({ type: 'invitation.created' })).length).toBeGreaterThan(0);
  }, 90_000);

  it('refuses a link used twice, an expired one, a revoked one and a tampered one with a page', async () => {
    const email = `twice-${crypto.randomUUID()}@example.com`;
    const { path } = await invitedPath(email);
    const browser = new Browser(svc.app);
    const page = await browser.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const common = await browser.post(ACCEPT, { ...hiddenInputs(page.body), password: 'password123' });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain('too common');
    // Without the browser's CSRF cookie the form is refused.
    const stranger = new Browser(svc.app);
    const forged = await stranger.post(ACCEPT, { ...hiddenInputs(page.body), password: PASSWORD });
    expect(forged.statusCode).toBe(403);
    const ok = await browser.post(ACCEPT, { ...hiddenInputs(page.body), password: PASSWORD });
    expect(heading(ok.body)).toBe("You're signed in");
    const again = await browser.get(path);
    expect(again.statusCode).toBe(400);
    expect(heading(again.body)).toBe('This invitation does not work');
    const replay = await browser.post(ACCEPT, { ...hiddenInputs(page.body), password: PASSWORD });
    expect(replay.statusCode).toBe(400);
    expect(await svc.storage.signIn.usersByEmail(email, svc.fixture.tenant.id)).toHaveLength(1);

    const revoked = await invitedPath(`revoked-${crypto.randomUUID()}@example.com`);
    const form = await new Browser(svc.app).get(revoked.path);
    expect(form.statusCode).toBe(200);
    const del = await call(
      svc,
      admin,
      'DELETE',
      `/tenants/${svc.fixture.tenant.id}/invitations/${revoked.id}`,
    );
    expect(del.statusCode).toBe(204);
    expect((await new Browser(svc.app).get(revoked.path)).statusCode).toBe(400);
    await expect
      .poll(async () => (await svc.storage.auditEvents.list({ type: 'invitation.revoked' })).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);

    expect((await new Browser(svc.app).get(`${ACCEPT}?token=${'x'.repeat(43)}`)).statusCode).toBe(400);
    expect((await new Browser(svc.app).get(ACCEPT)).statusCode).toBe(400);

    const late = await invitedPath(`late-${crypto.randomUUID()}@example.com`);
    mailing.shift(3601);
    try {
      const expired = await new Browser(svc.app).get(late.path);
      expect(expired.statusCode).toBe(400);
    } finally {
      mailing.shift(0);
    }
  }, 60_000);

  it('refuses with 409 an e-mail that has an account in the tenant already', async () => {
    const taken = await svc.addUser(svc.fixture.tenant, {
      email: `taken-${crypto.randomUUID()}@example.com`,
    });
    const res = await invite(taken.email.toUpperCase());
    expect(res.statusCode).toBe(409);
    // The same e-mail may be invited into another tenant by its own Administrator.
    const elsewhere = await invite(taken.email, 'Agent', otherAdmin, other.id);
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
  });

  it("refuses another tenant's Administrator, a plain user and malformed input", async () => {
    const t = svc.fixture.tenant.id;
    const crossInvite = await invite(`x-${crypto.randomUUID()}@example.com`, 'Administrator', otherAdmin, t);
    expect(crossInvite.statusCode).toBe(404);
    expect((await call(svc, otherAdmin, 'GET', `/tenants/${t}/invitations`)).statusCode).toBe(404);
    const mine = await invite(`mine-${crypto.randomUUID()}@example.com`);
    const id = (mine.json() as { id: string }).id;
    expect((await call(svc, otherAdmin, 'DELETE', `/tenants/${t}/invitations/${id}`)).statusCode).toBe(404);
    // Naming its own tenant in the path does not reach another tenant's invitation either.
    expect((await call(svc, otherAdmin, 'DELETE', `/tenants/${other.id}/invitations/${id}`)).statusCode).toBe(
      404,
    );
    // A plain user of the tenant gets no admin token to invite with.
    await expect(actor(svc, svc.fixture.tenant, { role: role('Agent') })).rejects.toThrow(/invalid_scope/);
    const bad = await call(svc, admin, 'POST', `/tenants/${t}/invitations`, { email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    const extra = await call(svc, admin, 'POST', `/tenants/${t}/invitations`, {
      email: 'a@example.com',
      x: 1,
    });
    expect(extra.statusCode).toBe(400);
  });
});
