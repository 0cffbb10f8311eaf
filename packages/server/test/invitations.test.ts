// Invitations end to end (docs/people.md): an Administrator invites an e-mail to its tenant through the
// admin API; the mail waits in the outbox while SMTP is down and goes out when it returns; the mailed
// link is followed in Chromium, the person chooses a password and can sign in with it. A link used
// twice, expired, revoked, tampered or mangled is refused with a page; another tenant's Administrator
// and a plain user cannot invite, list or revoke; invitations are audited.
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import type { Application, Tenant } from '../src/domain/types.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  Browser,
  hiddenInputs,
  pkce,
  publicApp,
  REDIRECT,
  redirectParams,
  PASSWORD as SIGN_IN_PASSWORD,
  signInUser,
} from './support/sign-in.js';
import { linkIn, type SmtpSink, startSmtpSink } from './support/smtp-sink.js';

const ACCEPT = '/auth/invitation';
const PASSWORD = 'an invited passphrase 9';

let svc: TestService;
let app: Application;
let sink: SmtpSink | undefined;
let smtpPort: number;
let chromium: Chromium;
let tenant: Tenant;
let admin: Actor;
/** Seconds added to the real time (to expire a link). */
let shift = 0;

beforeAll(async () => {
  // A port with no SMTP server yet: the first test starts it late.
  const probe = await startSmtpSink();
  smtpPort = probe.port;
  await probe.close();
  svc = await startTestService({
    listen: true,
    application: ADMIN_APP,
    now: () => new Date(Date.now() + shift * 1000),
    config: {
      mail: {
        ...MAIL_DEFAULTS,
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        from: 'cxauth <auth@example.com>',
        pollMs: 100,
        retryBaseMs: 200,
        timeoutMs: 2000,
        leaseMs: 5000,
      },
    },
  });
  app = await publicApp(svc);
  tenant = svc.fixture.tenant;
  admin = await actor(svc, tenant, { role: role('Administrator') });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await svc?.close();
  await sink?.close();
});

const heading = (body: string) => body.match(/<h1>([^<]*)<\/h1>/)?.[1];
const fresh = (label: string) => `${label}-${crypto.randomUUID()}@example.com`;

async function invite(email: string, r = 'Agent', who = admin, tenantId = tenant.id) {
  return call(svc, who, 'POST', `/tenants/${tenantId}/invitations`, { email, role: r });
}

/** The path and query of the link mailed to `email`. */
async function mailedLink(email: string): Promise<string> {
  const link = new URL(linkIn(await (sink as SmtpSink).next(email), ACCEPT));
  return `${link.pathname}${link.search}`;
}

/** Signs `email` in on the hosted page (scope email); the userinfo answer, or undefined when refused. */
async function signsIn(email: string, password: string): Promise<Record<string, unknown> | undefined> {
  const browser = new Browser(svc.app);
  const p = pkce();
  const query = authorizeQuery(app, p, { scope: 'openid profile email' });
  const page = await browser.get(`/auth/authorize?${query}`);
  const res = await browser.post('/auth/authorize', {
    ...hiddenInputs(page.body),
    username: email,
    password,
  });
  if (res.statusCode !== 302) return undefined;
  const tokens = await tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code: redirectParams(res).get('code') as string,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });
  expect(tokens.statusCode).toBe(200);
  const { access_token } = tokens.json() as { access_token: string };
  const info = await svc.app.inject({
    method: 'GET',
    url: '/auth/userinfo',
    headers: { authorization: `Bearer ${access_token}` },
  });
  expect(info.statusCode).toBe(200);
  return info.json() as Record<string, unknown>;
}

describe('invitations', () => {
  it('keeps the invitation mail while SMTP is down and delivers it when SMTP returns', async () => {
    const email = fresh('down');
    const res = await invite(email);
    expect(res.statusCode, res.body).toBe(201);
    // The link's token is only in the mail.
    expect(res.json()).toMatchObject({ email, role: 'Agent', state: 'pending', tenantId: tenant.id });
    expect(res.body).not.toContain('token');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await svc.storage.people.pendingMail()).toBe(1);
    sink = await startSmtpSink(smtpPort);
    const mail = await sink.next(email);
    expect(mail.text).toContain(`invited to ${tenant.name}`);
    expect(linkIn(mail, ACCEPT)).toContain(`${svc.url}${ACCEPT}?token=`);
  }, 30_000);

  it('follows the mailed link in Chromium, sets the password, and the account signs in with its role', async () => {
    const email = fresh('chromium');
    expect((await invite(email, 'Supervisor')).statusCode).toBe(201);
    const link = linkIn(await (sink as SmtpSink).next(email), ACCEPT);
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Accept the invitation' }).waitFor();
    await page.getByLabel('Choose a password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    await context.close();

    const [user] = await svc.storage.signIn.usersByEmail(email, tenant.id);
    expect(user?.role.legacyId).toBe('Supervisor');
    expect(user?.tenantId).toBe(tenant.id);
    // The e-mail is verified: the link came to it (OIDC Core §5.1).
    expect(await signsIn(email, PASSWORD)).toMatchObject({ email, email_verified: true });
    // A user made without a mailed link is not.
    const made = fresh('made');
    await signInUser(svc, { tenant, email: made });
    expect(await signsIn(made, SIGN_IN_PASSWORD)).toMatchObject({ email: made, email_verified: false });
    const list = await call(svc, admin, 'GET', `/tenants/${tenant.id}/invitations`);
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

  it('refuses a link used twice, an expired, a revoked and a tampered link with a page', async () => {
    const twice = fresh('twice');
    await invite(twice);
    const path = await mailedLink(twice);
    const browser = new Browser(svc.app);
    const form = await browser.get(path);
    expect(form.statusCode).toBe(200);
    expect(form.headers['referrer-policy']).toBe('no-referrer');
    const common = await browser.post(ACCEPT, { ...hiddenInputs(form.body), password: 'password123' });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain('too common');
    const ok = await browser.post(ACCEPT, { ...hiddenInputs(form.body), password: PASSWORD });
    expect(heading(ok.body)).toBe('Your account is ready');
    expect((await browser.get(path)).statusCode).toBe(400);
    const replay = await browser.post(ACCEPT, { ...hiddenInputs(form.body), password: PASSWORD });
    expect(replay.statusCode).toBe(400);
    expect(heading(replay.body)).toBe('This invitation does not work');

    const revoked = fresh('revoked');
    const created = (await invite(revoked)).json() as { id: string };
    const revokedPath = await mailedLink(revoked);
    const del = await call(svc, admin, 'DELETE', `/tenants/${tenant.id}/invitations/${created.id}`);
    expect(del.statusCode).toBe(204);
    expect((await browser.get(revokedPath)).statusCode).toBe(400);
    expect(await svc.storage.signIn.usersByEmail(revoked, tenant.id)).toHaveLength(0);

    const expired = fresh('expired');
    await invite(expired);
    const expiredPath = await mailedLink(expired);
    const early = await browser.get(expiredPath);
    expect(early.statusCode).toBe(200);
    shift = svc.config.mail.invitationTtl + 60;
    try {
      const late = await browser.get(expiredPath);
      expect(late.statusCode).toBe(400);
      expect(heading(late.body)).toBe('This invitation does not work');
      const post = await browser.post(ACCEPT, { ...hiddenInputs(early.body), password: PASSWORD });
      expect(post.statusCode).toBe(400);
    } finally {
      shift = 0;
    }
    expect(await svc.storage.signIn.usersByEmail(expired, tenant.id)).toHaveLength(0);

    const tampered = await browser.get(`${ACCEPT}?token=${'A'.repeat(43)}`);
    expect(tampered.statusCode).toBe(400);
    expect((await browser.get(`${ACCEPT}?token=%00`)).statusCode).toBe(400);
    expect((await browser.get(ACCEPT)).statusCode).toBe(400);
    // A post without the form's CSRF cookie is refused.
    const stranger = new Browser(svc.app);
    const forged = await stranger.post(ACCEPT, { ...hiddenInputs(early.body), password: PASSWORD });
    expect([400, 403]).toContain(forged.statusCode);
  }, 60_000);

  it("refuses another tenant's Administrator and a plain user; refuses an e-mail with an account", async () => {
    const other = await svc.addTenant();
    const otherAdmin = await actor(svc, other, { role: role('Administrator') });
    const plain = await actor(svc, tenant, { role: role('Agent') }, 'openid');
    const email = fresh('cross');
    const cross = await invite(email, 'Administrator', otherAdmin);
    expect([403, 404]).toContain(cross.statusCode);
    expect(cross.headers['content-type']).toContain('application/problem+json');
    expect([403, 404]).toContain((await invite(email, 'Administrator', plain)).statusCode);
    expect([403, 404]).toContain(
      (await call(svc, otherAdmin, 'GET', `/tenants/${tenant.id}/invitations`)).statusCode,
    );
    const mine = (await invite(email)).json() as { id: string };
    await (sink as SmtpSink).next(email);
    const revoke = await call(svc, otherAdmin, 'DELETE', `/tenants/${tenant.id}/invitations/${mine.id}`);
    expect([403, 404]).toContain(revoke.statusCode);
    // Its own tenant's path does not reach this tenant's invitation either.
    const sideways = await call(svc, otherAdmin, 'DELETE', `/tenants/${other.id}/invitations/${mine.id}`);
    expect(sideways.statusCode).toBe(404);
    const still = await call(svc, admin, 'GET', `/tenants/${tenant.id}/invitations`);
    const items = (still.json() as { items: { id: string; state: string }[] }).items;
    expect(items.find((i) => i.id === mine.id)?.state).toBe('pending');

    // Bad input is a 400 problem; an e-mail that has an account here is a 409.
    expect(
      (await call(svc, admin, 'POST', `/tenants/${tenant.id}/invitations`, { email: 'nope' })).statusCode,
    ).toBe(400);
    expect((await invite(email, 'not a role!')).statusCode).toBe(400);
    expect((await invite(admin.user.email)).statusCode).toBe(409);
  }, 30_000);
});
