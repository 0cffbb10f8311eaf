// The console's first hour (docs/console.md) in Chromium against `cxauth serve --demo`, at desktop and
// phone widths: destructive actions ask first, in words, and the console's own application cannot be
// switched off; a new app is listed at once; registration shows each type's fields, with grants and
// scopes (a client_credentials backend from the console, and one that requires DPoP, lifted and set
// again in the edit form); audit and sessions show names, filter and
// page; operators pick the tenant of the users page; the dashboard charts activity in light and dark;
// no ring on the heading at load; the dark primary button reads at 4.5:1 or more.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  adminCall,
  adminToken,
  type Demo,
  openConsole,
  passwordGrant,
  shoot,
  startDemo,
} from './support/console.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let demo: Demo;
let demoUser: { email: string; password: string };

beforeAll(async () => {
  demo = await startDemo();
  demoUser = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
}, 60_000);
afterAll(async () => demo?.close());

/** WCAG 2.2 contrast ratio of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const noWiderThan = async (page: Page, width: number) =>
  expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(width);

it('asks before each destructive action, in words, and never offers to switch the console off', async () => {
  const { page } = await openConsole(demo, DESKTOP, demoUser);
  await page.getByRole('link', { name: 'Applications' }).click();
  const consoleRow = page.getByRole('row').filter({ hasText: 'cxauth-console' });
  await consoleRow.getByText('this console').waitFor();
  await expect(consoleRow.getByRole('button', { name: /Deactivate|Delete/ }).count()).resolves.toBe(0);

  // A new app is in the list at once, while its secret is still shown.
  await page.getByRole('button', { name: 'Register an application' }).click();
  await page.getByLabel('Name').fill('reports');
  await page.getByRole('radio', { name: /^Confidential/ }).check();
  await page
    .getByLabel('Redirect URIs, one per line', { exact: true })
    .fill('https://reports.example.com/cb');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByRole('region', { name: 'New client secret' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: 'reports' });
  await row.getByText('reports', { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'I have saved it' }).click();

  // Deactivate: a dialog names the app and says what follows; Cancel changes nothing.
  await row.getByRole('button', { name: 'Deactivate reports' }).click();
  const ask = page.getByRole('dialog', { name: "Deactivate application 'reports'?" });
  await ask.getByText('Its sessions end and it can no longer sign anyone in').waitFor();
  // Cancel has focus: Enter alone never destroys anything.
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Cancel');
  const danger = ask.getByRole('button', { name: 'Deactivate application' });
  const [bg, fg] = await danger.evaluate((b) => [
    getComputedStyle(b).backgroundColor,
    getComputedStyle(b).color,
  ]);
  expect(contrast(String(bg), String(fg))).toBeGreaterThanOrEqual(4.5);
  expect(bg).toMatch(/^rgb\((1[5-9]\d|2\d\d), \d{1,2}, \d{1,2}\)$/); // red
  await shoot(page, 'desktop-confirm-deactivate');
  await page.keyboard.press('Escape');
  await expect(ask.count()).resolves.toBe(0);
  await row.getByText('active', { exact: true }).waitFor();
  await row.getByRole('button', { name: 'Deactivate reports' }).click();
  await ask.getByRole('button', { name: 'Deactivate application' }).click();
  await row.getByText('inactive', { exact: true }).waitFor();
  await page.getByText('Deactivated reports: its sessions have ended.').waitFor();

  // Delete asks too, and then it is gone.
  await row.getByRole('button', { name: 'Delete reports' }).click();
  await page
    .getByRole('dialog', { name: "Delete application 'reports'?" })
    .getByRole('button', { name: 'Delete application' })
    .click();
  await page.getByText('Deleted reports.').waitFor();
  // The list reloads after the message: wait for it, rather than read it the same instant.
  await expect.poll(() => page.getByRole('row').filter({ hasText: 'reports' }).count()).toBe(0);
}, 90_000);

it('registers a backend that requires DPoP (its token requests without a proof are refused), and the edit form lifts and sets it', async () => {
  const { page } = await openConsole(demo, DESKTOP, demoUser);
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Register an application' }).click();
  const form = page.getByRole('form', { name: 'Register an application' });
  await form.getByRole('radio', { name: /^Backend/ }).check();
  await form.getByLabel('Tenant', { exact: true }).selectOption({ label: 'demo' });
  await form.getByLabel('Name').fill('bound job');
  await form.getByRole('checkbox', { name: /^Client credentials/ }).check();
  await form.getByRole('checkbox', { name: /^Require DPoP/ }).check();
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  const secret = await page
    .getByRole('region', { name: 'New client secret' })
    .getByLabel('client secret')
    .inputValue();
  const clientId =
    (await page
      .getByText(/Its client ID is/)
      .locator('code')
      .textContent()) ?? '';
  const res = await fetch(`${demo.issuer}/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  await page.getByRole('button', { name: 'I have saved it' }).click();
  // The edit form shows the requirement and lifts it: the same request then gets a Bearer token.
  const row = page.getByRole('row').filter({ hasText: 'bound job' });
  await row.getByRole('button', { name: 'Edit bound job' }).click();
  const edit = page.getByRole('form', { name: 'Edit bound job' });
  const toggle = edit.getByRole('checkbox', { name: /^Require DPoP/ });
  await expect(toggle.isChecked()).resolves.toBe(true);
  await toggle.uncheck();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved. The change holds on every node at once.').waitFor();
  const again = await fetch(`${demo.issuer}/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(again.status).toBe(200);
  expect(((await again.json()) as { token_type: string }).token_type).toBe('Bearer');
  // And back on: the edit form saves the requirement too.
  await row.getByRole('button', { name: 'Edit bound job' }).click();
  await edit.getByRole('checkbox', { name: /^Require DPoP/ }).check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  const token = await adminToken(demo);
  await expect
    .poll(async () => (await adminCall(demo, token, 'GET', `/applications/${clientId}`)).body)
    .toMatchObject({ dpop_bound_access_tokens: true });
});

it('shows each type only its fields, and registers a client_credentials backend that works', async () => {
  const { page } = await openConsole(demo, PHONE, demoUser);
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Register an application' }).click();
  const form = page.getByRole('form', { name: 'Register an application' });
  await form.getByRole('radio', { name: /^Public/ }).check();
  await form.getByLabel('Redirect URIs, one per line', { exact: true }).waitFor();
  await form.getByLabel('Origins (CORS), one per line').waitFor();
  await form.getByRole('radio', { name: /^Backend/ }).check();
  await expect(form.getByLabel('Redirect URIs, one per line', { exact: true }).count()).resolves.toBe(0);
  await expect(form.getByLabel('Origins (CORS), one per line').count()).resolves.toBe(0);
  // Client credentials need one tenant: offered once a tenant is chosen.
  const cc = form.getByRole('checkbox', { name: /^Client credentials/ });
  await expect(cc.isDisabled()).resolves.toBe(true);
  await form.getByLabel('Tenant', { exact: true }).selectOption({ label: 'demo' });
  await expect(cc.isDisabled()).resolves.toBe(false);
  await form.getByLabel('Name').fill('nightly job');
  await cc.check();
  await form.getByRole('checkbox', { name: /^Access keys/ }).uncheck();
  await form.getByRole('checkbox', { name: /^Refresh tokens/ }).uncheck();
  await form.getByRole('checkbox', { name: 'profile' }).uncheck();
  await form.getByRole('checkbox', { name: 'email' }).uncheck();
  await shoot(page, 'phone-register-backend');
  await noWiderThan(page, PHONE.width);
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  const secret = await page
    .getByRole('region', { name: 'New client secret' })
    .getByLabel('client secret')
    .inputValue();
  const clientId =
    (await page
      .getByText(/Its client ID is/)
      .locator('code')
      .textContent()) ?? '';
  const res = await fetch(`${demo.issuer}/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.getByRole('row').filter({ hasText: 'nightly job' }).getByText('client_credentials').waitFor();

  // A redirect URI the service refuses is marked on its field, with the server's reason.
  await page.getByRole('button', { name: 'Register an application' }).click();
  await form.getByLabel('Name').fill('bad web');
  await form.getByRole('radio', { name: /^Confidential/ }).check();
  await form.getByLabel('Redirect URIs, one per line', { exact: true }).fill('http://web.example.com/cb');
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  const field = form.getByLabel('Redirect URIs, one per line', { exact: true });
  await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
  const describedBy = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0] ?? '';
  await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toMatch(/must use https/);
  await shoot(page, 'phone-register-field-error');
}, 90_000);

it('shows names in sessions and the audit log, filters them and pages the log', async () => {
  const token = await adminToken(demo);
  const me = await adminCall(demo, token, 'GET', '/users?limit=1').catch(() => undefined);
  expect(me).toBeDefined();
  // Sixty changes by the demo user: more than one page of the audit log.
  const user = demo.creds['username'] ?? '';
  const users = await adminCall(demo, token, 'GET', `/tenants/${demo.creds['tenantId']}/users`);
  const demoUserId = (users.body['items'] as { id: string; email: string }[]).find(
    (u) => u.email === user,
  )?.id;
  for (let i = 0; i < 60; i++) {
    expect((await adminCall(demo, token, 'POST', `/users/${demoUserId}/access-keys`)).status).toBe(201);
  }
  const { page } = await openConsole(demo, DESKTOP, demoUser);
  await page.getByRole('link', { name: 'Audit log' }).click();
  const table = page.getByRole('table', { name: 'Audit events, newest first' });
  await table.getByRole('cell', { name: user }).first().waitFor();
  await expect(table.getByText(/^user:/).count()).resolves.toBe(0);
  const rows = () => table.getByRole('row').count();
  await expect.poll(rows).toBe(51);
  await page.getByRole('button', { name: 'Show older events' }).click();
  await expect.poll(rows).toBeGreaterThan(61);
  await shoot(page, 'desktop-audit');
  await page.getByLabel('Event').selectOption({ label: 'Grants refused' });
  await page.getByText('No audit events match.').waitFor();
  await page.getByLabel('Event').selectOption({ label: 'Access keys' });
  await page.getByLabel('Actor').fill('nobody@example.com');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('No audit events match.').waitFor();
  await page.getByLabel('Actor').fill(user);
  await page.getByRole('button', { name: 'Apply' }).click();
  await table.getByRole('cell', { name: 'access_key.created' }).first().waitFor();

  await page.getByRole('link', { name: 'Sessions' }).click();
  const sessions = page.getByRole('table', { name: 'Sessions, oldest first' });
  await sessions.getByRole('cell', { name: user }).first().waitFor();
  await sessions.getByRole('cell', { name: 'cxauth console', exact: true }).first().waitFor();
  await page.getByLabel('Application').selectOption({ label: 'cxauth console' });
  await expect.poll(() => sessions.getByRole('cell', { name: 'demo', exact: true }).count()).toBe(0);
  await shoot(page, 'desktop-sessions');
  await sessions
    .getByRole('button', { name: /^End session/ })
    .first()
    .click();
  await page
    .getByRole('dialog', { name: /^End the session of / })
    .getByText(/refused at once/)
    .waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
}, 120_000);

it('lets an operator pick the tenant of the users page', async () => {
  const token = await adminToken(demo);
  const tenant = await adminCall(demo, token, 'POST', '/tenants', { name: 'globex', area: 'na1' });
  expect(tenant.status).toBe(201);
  const created = await adminCall(demo, token, 'POST', `/tenants/${tenant.body['id']}/users`, {
    email: 'hank@globex.example',
  });
  expect(created.status).toBe(201);
  const { page } = await openConsole(demo, PHONE, demoUser);
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('Tenant').selectOption({ label: 'globex' });
  await page
    .getByRole('table', { name: 'Users of globex' })
    .getByRole('row', { name: /hank@globex\.example/ })
    .waitFor();
  await shoot(page, 'phone-users-tenant');
  await noWiderThan(page, PHONE.width);
}, 60_000);

for (const scheme of ['light', 'dark'] as const) {
  it(`charts activity on the dashboard (${scheme}), with words and numbers behind each chart`, async () => {
    // Some activity: refused grants (failures) and tokens.
    for (let i = 0; i < 3; i++) {
      await passwordGrant(
        demo.issuer,
        { id: demo.creds['client_id'] ?? '', secret: 'wrong' },
        { id: 'x', secret: 'y' },
      );
    }
    const { page } = await openConsole(demo, DESKTOP, demoUser, 'Dashboard', scheme);
    // No focus ring on the heading at load; focus is not moved there on the first page.
    const heading = page.getByRole('heading', { name: 'Dashboard', level: 1 });
    await expect(heading.evaluate((h) => getComputedStyle(h).outlineStyle)).resolves.toBe('none');
    await expect(heading.evaluate((h) => h === document.activeElement)).resolves.toBe(false);
    for (const name of [
      /^Sign-ins per hour/,
      /^Tokens issued per hour/,
      /^Failures and throttling/,
      /^Sessions open/,
    ]) {
      const chart = page.getByRole('figure', { name });
      await chart.getByRole('img').waitFor();
      await expect(chart.getByRole('img').getAttribute('aria-label')).resolves.toMatch(/\d/);
    }
    await page
      .getByRole('list', { name: /^Totals/ })
      .getByText('tokens issued')
      .waitFor();
    const failures = page.getByRole('figure', { name: /^Failures and throttling/ });
    // The audit trail is written behind the answers: refresh until the refused grants are counted.
    await expect
      .poll(async () => {
        const label = await failures.getByRole('img').getAttribute('aria-label');
        if (!/Failures: [1-9]\d* in all/.test(label ?? '')) {
          await page.getByRole('button', { name: 'Refresh' }).click();
        }
        return label;
      })
      .toMatch(/Failures: [1-9]\d* in all/);
    await failures.getByText('Show the numbers').click();
    await failures.getByRole('table').getByRole('columnheader', { name: 'Failures' }).waitFor();
    // The dark theme's primary button reads at 4.5:1 or more, as the light one does.
    const refresh = page.getByRole('button', { name: 'Sign out' });
    await refresh.waitFor();
    const primary = page.getByRole('link', { name: 'Applications' });
    await primary.click();
    const button = page.getByRole('button', { name: 'Register an application' });
    const [bg, fg] = await button.evaluate((b) => [
      getComputedStyle(b).backgroundColor,
      getComputedStyle(b).color,
    ]);
    expect(contrast(String(bg), String(fg))).toBeGreaterThanOrEqual(4.5);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('figure', { name: /^Sessions open/ }).waitFor();
    await shoot(page, `desktop-dashboard-${scheme}`);
    await page.setViewportSize(PHONE);
    await shoot(page, `phone-dashboard-${scheme}`);
    await noWiderThan(page, PHONE.width);
  }, 60_000);
}
