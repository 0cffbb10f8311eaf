// The console in a real Chromium against a real `cxauth serve --demo` (test/support.ts): sign in as the
// demo user, register an app with an origin and copy its secret once, use it for a token grant,
// generate an access key, use it, deactivate it and see the next grant refused. Screenshots of every
// page at phone and desktop widths. Users, editing and self-service: manage.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Demo, openConsole, passwordGrant, shoot, startDemo } from './support/console.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ADMIN_PAGES = [
  'Dashboard',
  'Applications',
  'Access keys',
  'Users',
  'Sessions',
  'Tenants',
  'Areas',
  'Signing keys',
  'Audit log',
];
const slug = (name: string) => name.replace(/ /g, '-').toLowerCase();
let demo: Demo;
let issuer: string;
let demoUser: { email: string; password: string };

beforeAll(async () => {
  demo = await startDemo();
  issuer = demo.issuer;
  demoUser = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
}, 60_000);

afterAll(async () => demo?.close());

const demoClient = () => ({ id: demo.creds['client_id'] ?? '', secret: demo.creds['client_secret'] ?? '' });
const demoKey = () => ({ id: demo.creds['accessKeyId'] ?? '', secret: demo.creds['accessKeySecret'] ?? '' });

it('prints the console URL and serves it with its CSP, and no-cache for index.html', async () => {
  expect(demo.out).toContain(`cxauth console: ${issuer}/console/`);
  const res = await fetch(`${issuer}/console/applications`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('cache-control')).toBe('no-cache');
  const asset = (await res.text()).match(/\/console\/assets\/[^"]+\.js/)?.[0];
  const js = await fetch(`${issuer}${asset}`);
  expect(js.headers.get('cache-control')).toContain('immutable');
  expect((await fetch(`${issuer}/console/assets/missing.js`)).status).toBe(404);
});

it('registers an app, copies its secret once, and manages access keys as a person does', async () => {
  const { page, violations } = await openConsole(demo, DESKTOP, demoUser);
  // The header names the signed-in person by e-mail.
  await expect(page.locator('header .who').textContent()).resolves.toContain(demoUser.email);

  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Register an application' }).click();
  await page.getByLabel('Name').fill('shop backend');
  await page.getByRole('radio', { name: /^Backend/ }).check();
  await shoot(page, 'desktop-register');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  const shown = page.getByRole('region', { name: 'New client secret' });
  await shown.waitFor();
  await page.getByRole('button', { name: 'Copy client secret' }).click();
  await page.getByText('Copied to the clipboard.').waitFor();
  const secret = await page.evaluate(() => navigator.clipboard.readText());
  expect(await shown.getByLabel('client secret').inputValue()).toBe(secret);
  const clientId =
    (await page
      .getByText(/Its client ID is/)
      .locator('code')
      .textContent()) ?? '';
  await shoot(page, 'desktop-secret-once');
  await page.getByRole('button', { name: 'I have saved it' }).click();
  // Shown once: gone from the page, and the list has the app.
  await expect(page.getByRole('region', { name: 'New client secret' }).count()).resolves.toBe(0);
  await page
    .getByRole('row')
    .filter({ hasText: 'shop backend' })
    .getByText('shop backend', { exact: true })
    .first()
    .waitFor();

  // The copied secret works for a grant (the demo user's access key through the new app).
  const viaNewApp = await passwordGrant(issuer, { id: clientId, secret }, demoKey());
  expect(viaNewApp.status).toBe(200);

  await page.getByRole('link', { name: 'Access keys' }).click();
  await page.getByRole('heading', { name: 'Access keys', level: 1 }).waitFor();
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Access keys');
  await page.getByRole('button', { name: 'Generate an access key' }).click();
  const keySecret = await page
    .getByRole('region', { name: 'New access key secret' })
    .getByLabel('access key secret')
    .inputValue();
  const keyId = (await page.getByText('New access key ID:').locator('code').textContent()) ?? '';
  await shoot(page, 'desktop-access-key-once');
  const first = await passwordGrant(issuer, demoClient(), { id: keyId, secret: keySecret });
  expect(first.status).toBe(200);

  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.getByRole('button', { name: `Deactivate key ${keyId.slice(0, 8)}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Deactivate access key' }).click();
  await page.getByRole('row').filter({ hasText: keyId }).getByText('inactive').waitFor();
  const after = await passwordGrant(issuer, demoClient(), { id: keyId, secret: keySecret });
  expect(after.status).toBe(400);
  expect(after.body['error']).toBe('invalid_grant');

  for (const name of ADMIN_PAGES) {
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await shoot(page, `desktop-${slug(name)}`);
  }
  expect(violations.filter((v) => v.includes('Content Security Policy'))).toEqual([]);
}, 90_000);

it('works at phone width, every page', async () => {
  const { page, violations } = await openConsole(demo, PHONE, demoUser);
  for (const name of ADMIN_PAGES) {
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await shoot(page, `phone-${slug(name)}`);
  }
  await page.getByRole('link', { name: 'Access keys' }).click();
  await page.getByRole('cell', { name: 'inactive' }).first().waitFor();
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Register an application' }).click();
  await shoot(page, 'phone-register');
  // Nothing is wider than the phone's screen.
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
  expect(violations.filter((v) => v.includes('Content Security Policy'))).toEqual([]);
}, 90_000);
