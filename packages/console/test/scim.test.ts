// The SCIM provisioning page in Chromium against `cxauth serve --demo`: an Administrator creates a SCIM
// token (shown once), the token provisions the tenant over /scim/v2/{tenantId}/, and revoking it on the
// page refuses it at once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Demo, openConsole, shoot, startDemo } from './support/console.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
}, 60_000);
afterAll(async () => demo?.close());

it('creates a SCIM token once, which provisions the tenant until it is revoked', async () => {
  const who = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
  const { page, violations } = await openConsole(demo, { width: 1280, height: 800 }, who);
  await page.getByRole('link', { name: 'SCIM provisioning' }).click();
  await page.getByRole('heading', { name: 'SCIM provisioning', level: 1 }).waitFor();
  const tenantId = demo.creds['tenantId'] ?? '';
  await page.getByText(`${demo.issuer}/scim/v2/${tenantId}`).waitFor();
  await page.getByLabel('Token name').fill('Entra ID');
  await page.getByRole('button', { name: 'Create SCIM token' }).click();
  const token = await page.getByLabel('SCIM token', { exact: true }).inputValue();
  expect(token).toMatch(/^cxscim\./);
  await shoot(page, 'scim-token-created');

  const users = () =>
    fetch(`${demo.issuer}/scim/v2/${tenantId}/Users?count=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
  const listed = await users();
  expect(listed.status).toBe(200);
  expect(((await listed.json()) as { totalResults: number }).totalResults).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.getByRole('button', { name: 'Revoke SCIM token Entra ID' }).click();
  await page.getByRole('button', { name: 'Revoke SCIM token', exact: true }).click();
  await page.getByRole('row').filter({ hasText: 'Entra ID' }).getByText('revoked', { exact: true }).waitFor();
  expect((await users()).status).toBe(401);
  expect(violations).toEqual([]);
}, 90_000);
