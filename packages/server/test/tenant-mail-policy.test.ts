// A tenant's password policy and mail templates end to end (docs/people.md): a tenant's minimum length
// is applied at the reset page, the invitation page and the admin API's password set, and another
// tenant's does not leak into it; a tenant's template is used by the next reset mail (through a local
// SMTP sink), with every value escaped in the HTML part, and reset to the default; a template with an
// unknown placeholder, an unescaped value or no link is refused; another tenant's Administrator, a plain
// user and an anonymous caller cannot read or write a tenant's templates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import type { Tenant } from '../src/domain/types.js';
import { hashPassword } from '../src/secrets/passwords.js';
import { type Actor, ADMIN_APP, actor, call, role } from './support/admin.js';
import { startTestService, type TestService } from './support/service.js';
import { Browser, hiddenInputs, PASSWORD, signInUser } from './support/sign-in.js';
import { linkIn, type SmtpSink, type SunkMail, startSmtpSink } from './support/smtp-sink.js';

const CONFIRM = '/auth/password-reset/confirm';
const ACCEPT = '/auth/invitation';
/** 11 characters, on no list: long enough by default, too short for a tenant that asks for 12. */
const ELEVEN = 'qz7 vx9 wk4';
const TWELVE = 'qz7 vx9 wk4 ';

let svc: TestService;
let sink: SmtpSink;
let strict: Tenant;
let lenient: Tenant;
let strictAdmin: Actor;
let lenientAdmin: Actor;
let strictAgent: Actor;
let operator: Actor;

beforeAll(async () => {
  sink = await startSmtpSink();
  svc = await startTestService({
    listen: true,
    application: ADMIN_APP,
    config: {
      mail: {
        ...MAIL_DEFAULTS,
        smtpUrl: sink.url,
        from: 'cxauth <auth@example.com>',
        pollMs: 100,
        retryBaseMs: 200,
        timeoutMs: 2000,
        leaseMs: 5000,
      },
    },
  });
  strict = await svc.addTenant({ name: '<script>alert(1)</script>' });
  lenient = await svc.addTenant({ name: 'Lenient' });
  strictAdmin = await actor(svc, strict, { role: role('Administrator') });
  lenientAdmin = await actor(svc, lenient, { role: role('Administrator') });
  strictAgent = await actor(svc, strict, { role: role('Agent') }, 'openid');
  operator = await actor(svc, svc.fixture.tenant, { role: role('Administrator'), operator: true });
  const set = await call(svc, strictAdmin, 'PATCH', `/tenants/${strict.id}`, { password_min_length: 12 });
  expect(set.statusCode, set.body).toBe(200);
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await sink?.close();
});

const heading = (body: string) => body.match(/<h1>([^<]*)<\/h1>/)?.[1];

/** The HTML part of a sunk mail, as sent (quoted-printable undone). */
function htmlPart(mail: SunkMail): string {
  const m = mail.text.match(/Content-Type: text\/html[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/);
  if (!m?.[1]) throw new Error('no HTML part');
  return m[1];
}
const subjectOf = (mail: SunkMail) => mail.text.match(/^Subject: (.*)$/m)?.[1];

/** Asks for a reset of `email` and opens the mailed link's form: the browser, the form page and the mail. */
async function resetForm(email: string) {
  const browser = new Browser(svc.app);
  const start = await browser.get('/auth/password-reset');
  await browser.post('/auth/password-reset', { ...hiddenInputs(start.body), email });
  const mail = await sink.next(email);
  const link = new URL(linkIn(mail, CONFIRM));
  const page = await browser.get(`${link.pathname}${link.search}`);
  expect(page.statusCode).toBe(200);
  return { browser, page, mail };
}

describe('password policy per tenant', () => {
  it('shows the policy on the tenant and refuses a length outside 8..64 with a 400 saying the rule', async () => {
    const shown = await call(svc, strictAdmin, 'GET', `/tenants/${strict.id}`);
    expect(shown.json()).toMatchObject({ password_min_length: 12 });
    expect((await call(svc, lenientAdmin, 'GET', `/tenants/${lenient.id}`)).json()).toMatchObject({
      password_min_length: null,
    });
    for (const bad of [7, 65]) {
      const res = await call(svc, strictAdmin, 'PATCH', `/tenants/${strict.id}`, {
        password_min_length: bad,
      });
      expect(res.statusCode, String(bad)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toBe(
        "password_min_length must be a whole number from 8 to 64, or null for the service's default",
      );
    }
    const fraction = await call(svc, strictAdmin, 'PATCH', `/tenants/${strict.id}`, {
      password_min_length: 10.5,
    });
    expect(fraction.statusCode).toBe(400);
    // Another tenant's Administrator cannot set it.
    const other = await call(svc, lenientAdmin, 'PATCH', `/tenants/${strict.id}`, { password_min_length: 8 });
    expect(other.statusCode).toBe(404);
    expect((await call(svc, strictAdmin, 'GET', `/tenants/${strict.id}`)).json().password_min_length).toBe(
      12,
    );
    // Audited as a change of the tenant.
    await expect
      .poll(async () =>
        (await svc.storage.auditEvents.list({ type: 'tenant.changed' })).some(
          (e) => e.tenantId === strict.id && e.details['min_length'] === 12,
        ),
      )
      .toBe(true);
  });

  it("applies a tenant's minimum to the admin API's password set, and not to another tenant", async () => {
    const a = await svc.addUser(strict, { email: `set-${crypto.randomUUID()}@example.com` });
    const refused = await call(svc, strictAdmin, 'POST', `/users/${a.id}/password`, { password: ELEVEN });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toBe('a password needs at least 12 characters');
    expect(
      (await call(svc, strictAdmin, 'POST', `/users/${a.id}/password`, { password: TWELVE })).statusCode,
    ).toBe(204);
    const b = await svc.addUser(lenient, { email: `set-${crypto.randomUUID()}@example.com` });
    expect(
      (await call(svc, lenientAdmin, 'POST', `/users/${b.id}/password`, { password: ELEVEN })).statusCode,
    ).toBe(204);
    // The list of common passwords applies whatever the length.
    const common = await call(svc, lenientAdmin, 'POST', `/users/${b.id}/password`, {
      password: 'password123',
    });
    expect(common.statusCode).toBe(400);
    expect(common.json().detail).toContain('too common');
  });

  it("applies a tenant's minimum at the reset page, and another tenant's people keep the default", async () => {
    const email = `reset-${crypto.randomUUID()}@example.com`;
    await signInUser(svc, { tenant: strict, email });
    const { browser, page } = await resetForm(email);
    expect(page.body).toContain('12');
    const short = await browser.post(CONFIRM, { ...hiddenInputs(page.body), password: ELEVEN });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('at least 12 characters');
    const ok = await browser.post(CONFIRM, { ...hiddenInputs(page.body), password: TWELVE });
    expect(heading(ok.body)).toBe('Password changed');
    await sink.next(email);

    const other = `reset-${crypto.randomUUID()}@example.com`;
    await signInUser(svc, { tenant: lenient, email: other });
    const b = await resetForm(other);
    const fine = await b.browser.post(CONFIRM, { ...hiddenInputs(b.page.body), password: ELEVEN });
    expect(heading(fine.body)).toBe('Password changed');
    await sink.next(other);
  }, 30_000);

  it("applies a tenant's minimum at the invitation page", async () => {
    const email = `invited-${crypto.randomUUID()}@example.com`;
    const res = await call(svc, strictAdmin, 'POST', `/tenants/${strict.id}/invitations`, {
      email,
      role: 'Agent',
    });
    expect(res.statusCode, res.body).toBe(201);
    const link = new URL(linkIn(await sink.next(email), ACCEPT));
    const browser = new Browser(svc.app);
    const page = await browser.get(`${link.pathname}${link.search}`);
    const short = await browser.post(ACCEPT, { ...hiddenInputs(page.body), password: ELEVEN });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('at least 12 characters');
    const ok = await browser.post(ACCEPT, { ...hiddenInputs(page.body), password: TWELVE });
    expect(ok.statusCode).toBe(200);
    expect((await svc.storage.signIn.usersByEmail(email, strict.id)).length).toBe(1);
  }, 30_000);
});

describe('mail templates per tenant', () => {
  const path = (t: Tenant, name = 'password_reset') => `/tenants/${t.id}/mail-templates/${name}`;

  it('lists every template with its placeholders, each the default until the tenant stores its own', async () => {
    const res = await call(svc, strictAdmin, 'GET', `/tenants/${strict.id}/mail-templates`);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as {
      name: string;
      customised: boolean;
      placeholders: { name: string }[];
    }[];
    expect(items.map((i) => i.name)).toEqual(
      expect.arrayContaining(['password_reset', 'password_changed', 'invitation']),
    );
    const reset = items.find((i) => i.name === 'password_reset');
    expect(reset?.customised).toBe(false);
    expect(reset?.placeholders.map((p) => p.name)).toEqual(['link', 'email', 'tenant', 'expires']);
    expect((await call(svc, strictAdmin, 'GET', path(strict, 'no_such'))).statusCode).toBe(404);
  });

  it('sends the next reset mail with the saved template, values escaped in HTML, then the default again', async () => {
    const saved = await call(svc, strictAdmin, 'PUT', path(strict), {
      subject: 'New password for {{tenant}}',
      text: 'Hello {{email}}, go to {{link}} within {{expires}}. ({{tenant}})',
      html: '<p>Hello <b>{{email}}</b> of {{tenant}}: <a href="{{link}}">choose</a> within {{expires}}</p>',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ customised: true, customised_parts: ['subject', 'text', 'html'] });

    const email = `tpl-${crypto.randomUUID()}@example.com`;
    await signInUser(svc, { tenant: strict, email });
    const { mail } = await resetForm(email);
    expect(mail.text).toContain(`Hello ${email}, go to ${svc.url}${CONFIRM}?token=`);
    expect(mail.text).toContain('within 60 minutes');
    const html = htmlPart(mail);
    expect(html).toContain(`<p>Hello <b>${email}</b> of &lt;script&gt;alert(1)&lt;/script&gt;:`);
    expect(html).not.toContain('<script>');
    // The other tenant's people still get the default.
    const other = `tpl-${crypto.randomUUID()}@example.com`;
    await signInUser(svc, { tenant: lenient, email: other });
    expect((await resetForm(other)).mail.text).toContain('Someone (we hope you) asked to reset the password');

    // A platform operator of the tenant gets the built-in mail: the tenant's Administrators wrote the
    // template, and could carry an operator's link in it to a server of theirs.
    const operatorEmail = `tpl-op-${crypto.randomUUID()}@example.com`;
    const op = await svc.addUser(strict, { email: operatorEmail, operator: true });
    await svc.storage.signIn.setPassword(op.id, await hashPassword(PASSWORD), svc.clock.now());
    const opMail = (await resetForm(operatorEmail)).mail;
    expect(subjectOf(opMail)).toBe('Reset your password');
    expect(opMail.text).toContain('Someone (we hope you) asked to reset the password');
    expect(opMail.text).not.toContain('Hello ');

    const reset = await call(svc, strictAdmin, 'DELETE', path(strict));
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ customised: false, subject: 'Reset your password' });
    const again = `tpl-${crypto.randomUUID()}@example.com`;
    await signInUser(svc, { tenant: strict, email: again });
    const back = (await resetForm(again)).mail;
    expect(subjectOf(back)).toBe('Reset your password');
    expect(back.text).toContain('Someone (we hope you) asked to reset the password');
    // Both changes are audited, in the tenant.
    const events = await svc.storage.auditEvents.list({ limit: 1000 });
    const mine = events.filter((e) => e.tenantId === strict.id).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(['mail_template.changed', 'mail_template.reset']));
  }, 30_000);

  it('refuses unknown placeholders, unescaped values, sections and a missing link, naming them', async () => {
    const put = (body: object) => call(svc, strictAdmin, 'PUT', path(strict), body);
    const unknown = await put({ text: 'Hi {{name}} {{link}} {{password}}' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toContain('unknown placeholders {{name}}, {{password}}');
    const triple = await put({ html: '<p>{{{link}}}</p>' });
    expect(triple.statusCode).toBe(400);
    expect(triple.json().detail).toContain('{{{link}}}');
    const section = await put({ text: '{{#link}}x{{/link}} {{link}}' });
    expect(section.statusCode).toBe(400);
    const noLink = await put({ text: 'Hello {{email}}' });
    expect(noLink.statusCode).toBe(400);
    expect(noLink.json().detail).toContain('must contain {{link}}');
    const unclosed = await put({ text: 'Hello {{email' });
    expect(unclosed.statusCode).toBe(400);
    expect(unclosed.json().detail).toContain('not a valid template');
    // The link never in a subject, which notifications show and relays log.
    const linkInSubject = await put({ subject: 'Reset: {{link}}' });
    expect(linkInSubject.statusCode).toBe(400);
    expect(linkInSubject.json().detail).toContain('subject may not contain {{link}}');
    const tooLong = await put({ subject: 'x'.repeat(201) });
    expect(tooLong.statusCode).toBe(400);
    const nothing = await put({});
    expect(nothing.statusCode).toBe(400);
    expect((await call(svc, strictAdmin, 'GET', path(strict))).json().customised).toBe(false);
  });

  it('previews a template with sample values and the real tenant name, storing nothing', async () => {
    const res = await call(svc, strictAdmin, 'POST', `${path(strict, 'invitation')}:preview`, {
      html: '<p>{{email}} joins {{tenant}}: {{link}}</p>',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().html).toBe(
      '<p>person@example.com joins &lt;script&gt;alert(1)&lt;/script&gt;: https://auth.example.com/auth/invitation?token=EXAMPLE</p>',
    );
    expect(res.json().subject).toBe('You are invited to <script>alert(1)</script>');
    expect((await call(svc, strictAdmin, 'GET', path(strict, 'invitation'))).json().customised).toBe(false);
    const bad = await call(svc, strictAdmin, 'POST', `${path(strict, 'invitation')}:preview`, {
      text: '{{x}}',
    });
    expect(bad.statusCode).toBe(400);
  });

  it("keeps another tenant's Administrator, a plain user and an anonymous caller out", async () => {
    const body = { subject: 'Pwned {{tenant}}' };
    expect((await call(svc, lenientAdmin, 'GET', `/tenants/${strict.id}/mail-templates`)).statusCode).toBe(
      404,
    );
    expect((await call(svc, lenientAdmin, 'GET', path(strict))).statusCode).toBe(404);
    expect((await call(svc, lenientAdmin, 'PUT', path(strict), body)).statusCode).toBe(404);
    expect((await call(svc, lenientAdmin, 'DELETE', path(strict))).statusCode).toBe(404);
    expect((await call(svc, lenientAdmin, 'POST', `${path(strict)}:preview`, {})).statusCode).toBe(404);
    expect((await call(svc, strictAgent, 'GET', `/tenants/${strict.id}/mail-templates`)).statusCode).toBe(
      403,
    );
    expect((await call(svc, strictAgent, 'PUT', path(strict), body)).statusCode).toBe(403);
    expect((await call(svc, undefined, 'GET', `/tenants/${strict.id}/mail-templates`)).statusCode).toBe(401);
    expect((await call(svc, undefined, 'PUT', path(strict), body)).statusCode).toBe(401);
    expect((await call(svc, strictAdmin, 'GET', path(strict))).json().customised).toBe(false);
    // An operator reaches every tenant's templates.
    const op = await call(svc, operator, 'PUT', path(lenient, 'password_changed'), body);
    expect(op.statusCode, op.body).toBe(200);
    expect((await call(svc, operator, 'DELETE', path(lenient, 'password_changed'))).statusCode).toBe(200);
  });
});
