// The console's management pages in Chromium against `cxauth serve --demo` (test/support.ts): create a
// user, set its role and password, enrol TOTP; sign in as that user in a second browser context and see
// only the self-service pages (the console asked for `admin`, got invalid_scope, and signed in without
// it); edit an app's origins and see the CORS preflight for the new origin answered at once, and a
// stale edit (412) refused in words; the operators' tenant and area forms.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Demo, openConsole, shoot, startDemo, adminToken as tokenOf } from './support/console.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let demo: Demo;
let demoUser: { email: string; password: string };
const agent = { email: 'agent@example.com', password: 'a long agent passphrase 42' };

beforeAll(async () => {
  demo = await startDemo();
  demoUser = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
}, 60_000);
afterAll(async () => demo?.close());

const adminToken = () => tokenOf(demo);

const preflight = (origin: string) =>
  fetch(`${demo.issuer}/auth/token`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST' },
  });

it('creates a user, sets its password; that user signs in and sees only the self-service pages', async () => {
  const { page } = await openConsole(demo, DESKTOP, demoUser);
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: 'Create a user' }).click();
  await page.getByLabel('E-mail').fill(agent.email);
  await page.getByLabel('Given name').fill('Ada');
  await page.getByLabel('Family name').fill('Agent');
  await page.getByLabel('Role', { exact: true }).fill('Supervisor');
  await shoot(page, 'desktop-create-user');
  await page.getByRole('button', { name: 'Create user' }).click();
  // The new user's panel opens: set its role, then its password.
  const panel = page.getByRole('region', { name: agent.email });
  await panel.waitFor();
  await panel.getByLabel('Role', { exact: true }).fill('Agent');
  await panel.getByRole('button', { name: 'Set role' }).click();
  await panel.getByText('The role is now Agent.').waitFor();
  await page.getByRole('row').filter({ hasText: agent.email }).getByText('Agent', { exact: true }).waitFor();
  await panel.getByLabel('New password').fill(agent.password);
  await panel.getByRole('button', { name: 'Set password' }).click();
  await panel.getByText(`A new password is set for ${agent.email}.`).waitFor();
  await shoot(page, 'desktop-user-panel');

  // A second browser (no shared cookies): the agent signs in; `admin` is refused to it, the console
  // signs in again without it and shows the self-service pages only, with a note saying why.
  const second = await openConsole(demo, PHONE, agent, 'Access keys');
  const self = second.page;
  await expect(self.locator('header .who').textContent()).resolves.toContain(agent.email);
  await self
    .getByRole('note')
    .getByText(/signed in without admin rights/)
    .waitFor();
  const links = await self.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
  expect(links).toEqual(['Access keys', 'Sessions', 'Connected apps', 'Passkeys']);
  await self.getByRole('button', { name: 'Generate an access key' }).click();
  await self.getByRole('region', { name: 'New access key secret' }).waitFor();
  await shoot(self, 'phone-self-access-keys');
  await self.getByRole('button', { name: 'I have saved it' }).click();
  await self.getByRole('link', { name: 'Sessions' }).click();
  await self.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
  await self.getByRole('cell', { name: 'cxauth console' }).first().waitFor();
  await shoot(self, 'phone-self-sessions');
  // An admin page by its address is not there: the console goes to the first page it has.
  await self.goto(`${demo.issuer}/console/users`);
  await self.getByRole('heading', { name: 'Access keys', level: 1 }).waitFor();
  await self.setViewportSize(DESKTOP);
  await shoot(self, 'desktop-self-access-keys');

  // Back as the Administrator: TOTP enrolment shows the otpauth URI once; deactivation holds.
  await panel.getByRole('button', { name: 'Enrol in TOTP' }).click();
  const uri = await panel.getByLabel('otpauth URI', { exact: true }).inputValue();
  expect(uri).toMatch(/^otpauth:\/\/totp\/.+secret=/);
  await shoot(page, 'desktop-totp-once');
  await panel.getByRole('button', { name: 'I have saved it' }).click();
  await panel.getByRole('button', { name: 'Deactivate user' }).click();
  const ask = page.getByRole('dialog', { name: `Deactivate user '${agent.email}'?` });
  await ask.getByText(/can no longer sign in/).waitFor();
  await ask.getByRole('button', { name: 'Deactivate user' }).click();
  await page.getByRole('row').filter({ hasText: agent.email }).getByText('inactive').waitFor();
  await panel.getByRole('button', { name: 'Activate user' }).waitFor();

  // The API's refusals (problem details) are shown in words, on the field they concern: an address
  // the server does not accept is marked invalid and described by the server's reason.
  await page.getByRole('button', { name: 'Create a user' }).click();
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('E-mail').fill('ada@example');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByRole('alert').textContent()).resolves.toBe(
    'Nothing was saved: correct the field marked below.',
  );
  const email = form.getByLabel('E-mail');
  await expect(email.getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(email.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
  const described = (await email.getAttribute('aria-describedby')) ?? '';
  await expect(page.locator(`[id="${described.split(' ')[0]}"]`).textContent()).resolves.toMatch(
    /^Email must look like name@example\.com/,
  );
  await shoot(page, 'desktop-user-error');
}, 120_000);

it("edits an app's origins: the preflight for the new origin is answered at once; a stale edit says so", async () => {
  const { page } = await openConsole(demo, DESKTOP, demoUser);
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Register an application' }).click();
  await page.getByLabel('Name').fill('single page app');
  await page.getByRole('radio', { name: /^Public/ }).check();
  await page
    .getByLabel('Redirect URIs, one per line', { exact: true })
    .fill('https://spa.example.com/callback');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  const row = page.getByRole('row').filter({ hasText: 'single page app' });
  await row.getByRole('cell', { name: 'public · every tenant', exact: true }).waitFor();
  // A public application has no secret, so nothing to rotate.
  await expect(row.getByRole('button', { name: /Rotate secret/ }).count()).resolves.toBe(0);
  const clientId = (await row.locator('code').first().textContent()) ?? '';

  const origin = 'https://spa.example.com';
  expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBeNull();
  await row.getByRole('button', { name: 'Edit single page app' }).click();
  const form = page.getByRole('form', { name: 'Edit single page app' });
  await form.getByLabel('Origins (CORS), one per line').fill(origin);
  await form.getByLabel('Post-logout redirect URIs, one per line').fill(`${origin}/`);
  await shoot(page, 'desktop-edit-app');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved. The change holds on every node at once.').waitFor();
  // At once: the very next preflight allows the origin.
  expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBe(origin);

  // Someone else changes the app while this form is open: saving answers 412, shown in words.
  await row.getByRole('button', { name: 'Edit single page app' }).click();
  await form.getByLabel('Origins (CORS), one per line').waitFor();
  await expect(form.getByLabel('Origins (CORS), one per line').inputValue()).resolves.toBe(origin);
  const token = await adminToken();
  const other = await fetch(`${demo.issuer}/admin/v1/applications/${clientId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ origins: [origin, 'https://other.example.com'] }),
  });
  expect(other.status).toBe(200);
  await form.getByLabel('Origins (CORS), one per line').fill(`${origin}\nhttps://mine.example.com`);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await form
    .getByRole('alert')
    .getByText(/Someone else changed this since you opened it/)
    .waitFor();
  await shoot(page, 'desktop-edit-app-stale');
  // Reload shows their change; saving again applies.
  await form.getByRole('button', { name: 'Reload' }).click();
  await expect
    .poll(() => form.getByLabel('Origins (CORS), one per line').inputValue())
    .toContain('https://other.example.com');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved. The change holds on every node at once.').waitFor();
  await row.getByText('https://other.example.com', { exact: false }).waitFor();
}, 90_000);

it("shows the operators' forms and creates an area and a tenant in it", async () => {
  const { page } = await openConsole(demo, PHONE, demoUser);
  await page.getByRole('link', { name: 'Areas' }).click();
  await page.getByLabel('Area name').fill('ap');
  await page.getByLabel('API endpoint').fill('https://api.ap.example.com');
  await page.getByRole('button', { name: 'Save area' }).click();
  await page.getByText('Saved the area ap.').waitFor();
  await page.locator('td[data-label="API"]', { hasText: 'https://api.ap.example.com' }).waitFor();
  await shoot(page, 'phone-areas-created');
  await page.getByRole('link', { name: 'Tenants' }).click();
  await page.getByLabel('Tenant name').fill('acme');
  await page.getByLabel('Area').selectOption('ap');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByText(/Created the tenant acme/).waitFor();
  await page.getByRole('row').filter({ hasText: 'acme' }).getByText('ap', { exact: true }).waitFor();
  await shoot(page, 'phone-tenants-created');
  // The tenant's settings: require verified e-mail addresses at sign-in.
  const settings = page.getByRole('form', { name: 'Tenant settings' });
  await settings.getByLabel('Tenant').selectOption({ label: 'acme' });
  const verify = settings.getByLabel('Require a verified e-mail address at sign-in');
  await verify.waitFor();
  expect(await verify.isChecked()).toBe(false);
  await verify.check();
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await settings.getByText('Saved the settings of acme.').waitFor();
  await page.getByRole('row').filter({ hasText: 'acme' }).getByText('required', { exact: true }).waitFor();
  const tenants = await fetch(`${demo.issuer}/admin/v1/tenants`, {
    headers: { authorization: `Bearer ${await adminToken()}` },
  });
  const acme = (
    (await tenants.json()) as { items: { name: string; email_verification_required: boolean }[] }
  ).items.find((t) => t.name === 'acme');
  expect(acme?.email_verification_required).toBe(true);
  await shoot(page, 'phone-tenant-settings');
}, 90_000);
