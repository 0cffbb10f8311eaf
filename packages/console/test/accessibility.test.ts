// axe-core over every console page (desktop and phone, light and dark) and the hosted pages a person
// meets on the way (sign-in, second factor, logout confirmation, the error page) and the CLI's
// loopback pages: no serious or critical violation. Screenshots of each (test/support.ts prints where).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listenLoopback } from '../../cli/src/client/loopback.js';
import {
  adminCall,
  adminToken,
  axeViolations,
  type Demo,
  openConsole,
  shoot,
  startDemo,
} from './support/console.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PAGES = [
  'Dashboard',
  'Applications',
  'Access keys',
  'Users',
  'Sessions',
  'Passkeys',
  'Tenants',
  'Areas',
  'Signing keys',
  'Audit log',
  'SCIM provisioning',
  'Webhooks',
];
const slug = (name: string) => name.replace(/ /g, '-').toLowerCase();
let demo: Demo;
let demoUser: { email: string; password: string };

beforeAll(async () => {
  demo = await startDemo();
  demoUser = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
}, 60_000);
afterAll(async () => demo?.close());

async function fresh(browser: Browser, size: { width: number; height: number }, scheme: 'light' | 'dark') {
  const context = await browser.newContext({ viewport: size, colorScheme: scheme });
  return context.newPage();
}

const clean = async (page: Page, what: string) =>
  expect({ what, found: await axeViolations(page) }).toEqual({ what, found: [] });

for (const [size, width, scheme] of [
  [DESKTOP, 'desktop', 'light'],
  [PHONE, 'phone', 'dark'],
] as const) {
  it(`finds no serious or critical violation on any console page (${width}, ${scheme})`, async () => {
    const { page } = await openConsole(demo, size, demoUser, 'Dashboard', scheme);
    for (const name of PAGES) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await clean(page, `${name} (${width}, ${scheme})`);
      await shoot(page, `a11y-${width}-${scheme}-${slug(name)}`);
    }
    // The open forms and the confirmation dialog too.
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('button', { name: 'Register an application' }).click();
    await clean(page, `register form (${width})`);
    await page
      .getByRole('button', { name: /^Rotate secret/ })
      .first()
      .click();
    await page.getByRole('dialog').waitFor();
    await clean(page, `confirmation (${width})`);
    await shoot(page, `a11y-${width}-${scheme}-confirm`);
  }, 120_000);
}

it('finds none on the hosted sign-in, second-factor, logout and error pages, nor the loopback pages', async () => {
  // A user with TOTP, to reach the second form.
  const token = await adminToken(demo);
  const user = await adminCall(demo, token, 'POST', `/tenants/${demo.creds['tenantId']}/users`, {
    email: 'otp@example.com',
  });
  const id = String(user.body['id']);
  expect(
    (await adminCall(demo, token, 'POST', `/users/${id}/password`, { password: 'a long otp passphrase 7' }))
      .status,
  ).toBe(204);
  expect((await adminCall(demo, token, 'POST', `/users/${id}/totp`)).status).toBe(201);
  for (const [size, width, scheme] of [
    [DESKTOP, 'desktop', 'light'],
    [PHONE, 'phone', 'dark'],
  ] as const) {
    const page = await fresh(demo.browser, size, scheme);
    await page.goto(`${demo.issuer}/console/`);
    await page.getByLabel('E-mail').waitFor();
    await clean(page, `sign-in (${width})`);
    await shoot(page, `hosted-${width}-${scheme}-sign-in`);
    await page.getByLabel('E-mail').fill('otp@example.com');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await clean(page, `sign-in with an error (${width})`);
    await page.getByLabel('Password').fill('a long otp passphrase 7');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('input[name="otp"]').waitFor();
    await clean(page, `second factor (${width})`);
    await shoot(page, `hosted-${width}-${scheme}-totp`);
    await page.goto(`${demo.issuer}/auth/authorize/logout`);
    await page.getByRole('button').first().waitFor();
    await clean(page, `logout confirmation (${width})`);
    await shoot(page, `hosted-${width}-${scheme}-logout`);
    await page.goto(`${demo.issuer}/auth/authorize?client_id=nobody&response_type=code`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await clean(page, `error page (${width})`);
    await shoot(page, `hosted-${width}-${scheme}-error`);
    for (const query of ['code=c&state=s', 'error=access_denied&state=s']) {
      const loopback = await listenLoopback(10_000);
      await page.goto(`${loopback.redirectUri}?${query}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await clean(page, `loopback ${query} (${width})`);
      await shoot(page, `loopback-${width}-${scheme}-${query.startsWith('error') ? 'failed' : 'signed-in'}`);
      loopback.close();
    }
    await page.context().close();
  }
}, 120_000);
