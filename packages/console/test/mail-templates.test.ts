// A tenant's mail templates and password policy in Chromium against `cxauth serve --demo`: the
// operator creates a tenant with its own shortest password and sets its own tenant's on the Tenants page; on the Mail templates page it
// edits the password reset mail, is told which placeholder is unknown, previews it with sample values
// (escaped in the HTML), saves it, and resets it to the default after confirming.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminCall, adminToken, type Demo, openConsole, shoot, startDemo } from './support/console.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
}, 60_000);
afterAll(async () => demo?.close());

it("sets the tenant's password policy and edits, previews, saves and resets a mail template", async () => {
  const who = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
  const { page, violations } = await openConsole(demo, { width: 1280, height: 900 }, who);
  const tenantId = demo.creds['tenantId'] ?? '';

  await page.getByRole('link', { name: 'Tenants' }).click();
  await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
  // A new tenant with its own policy, from the creation form.
  await page.getByLabel('Tenant name').fill('strict-co');
  await page.getByLabel('Shortest password (optional, 8 to 64 characters)').fill('14');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page
    .getByRole('row')
    .filter({ hasText: 'strict-co' })
    .getByRole('cell', { name: '14', exact: true })
    .waitFor();
  const policy = page.getByRole('form', { name: 'Password policy' });
  await policy.getByRole('combobox', { name: /^Tenant/ }).selectOption(tenantId);
  await policy.getByLabel('Shortest password (characters)').fill('12');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await policy.getByText('asks for 12 characters').waitFor();
  const token = await adminToken(demo);
  const tenant = await adminCall(demo, token, 'GET', `/tenants/${tenantId}`);
  expect(tenant.body['password_min_length']).toBe(12);

  await page.getByRole('link', { name: 'Mail templates' }).click();
  await page.getByRole('heading', { name: 'Mail templates', level: 1 }).waitFor();
  await page.getByRole('combobox', { name: /^Mail/ }).selectOption('password_reset');
  const form = page.getByRole('form', { name: 'The password_reset mail' });
  await form.getByRole('cell', { name: '{{expires}}' }).waitFor();
  await form.getByLabel('Subject').fill('Reset for {{first_name}}');
  await form.getByRole('button', { name: 'Save template' }).click();
  await form.getByText('unknown placeholders {{first_name}}').waitFor();
  expect(await form.getByLabel('Subject').getAttribute('aria-invalid')).toBe('true');

  await form.getByLabel('Subject').fill('Your new password at {{tenant}}');
  await form.getByLabel('HTML').fill('<p>Hello <b>{{email}}</b>: <a href="{{link}}">choose one</a></p>');
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = form.getByRole('region', { name: 'Preview' });
  await preview.waitFor();
  expect(await preview.textContent()).toContain(
    '<p>Hello <b>person@example.com</b>: <a href="https://auth.example.com/',
  );
  await shoot(page, 'mail-template-preview');
  await form.getByRole('button', { name: 'Save template' }).click();
  await form.getByText('Saved the password_reset mail.').waitFor();
  const saved = await adminCall(demo, token, 'GET', `/tenants/${tenantId}/mail-templates/password_reset`);
  expect(saved.body).toMatchObject({ customised: true, subject: 'Your new password at {{tenant}}' });
  expect(saved.body['customised_parts']).toEqual(['subject', 'html']);

  await page
    .getByRole('form', { name: 'The password_reset mail' })
    .getByRole('button', { name: 'Reset to default' })
    .click();
  const ask = page.getByRole('dialog', { name: 'Reset the password_reset mail to the default?' });
  await ask.getByRole('button', { name: 'Reset to default' }).click();
  await page.getByText('The password_reset mail is the default again.').waitFor();
  await expect(page.getByLabel('Subject').inputValue()).resolves.toBe('Reset your password');
  const back = await adminCall(demo, token, 'GET', `/tenants/${tenantId}/mail-templates/password_reset`);
  expect(back.body['customised']).toBe(false);
  // The one refusal above is the browser's note of the 400 answer; nothing else went wrong.
  expect(violations.filter((v) => !v.includes('400'))).toEqual([]);
}, 90_000);
