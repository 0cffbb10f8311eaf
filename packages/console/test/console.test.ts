// The console in a real Chromium against a real `cxauth serve --demo` (the built CLI and console):
// sign in as the demo user, register an app with an origin and copy its secret once, use it for a
// token grant, generate an access key, use it, deactivate it and see the next grant refused.
// Screenshots at phone and desktop widths go to a temporary folder (its path is printed).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const CLI = fileURLToPath(new URL('../../cli/bin/cxauth.js', import.meta.url));
const shots = mkdtempSync(path.join(os.tmpdir(), 'cxauth-console-shots-'));
const data = mkdtempSync(path.join(os.tmpdir(), 'cxauth-console-data-'));
let serve: ChildProcess;
let browser: Browser;
let issuer: string;
let demo: Record<string, string>;

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function passwordGrant(clientId: string, secret: string, keyId: string, keySecret: string) {
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'password',
      username: keyId,
      password: keySecret,
      scope: 'openid',
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  serve = spawn(process.execPath, [CLI, 'serve', '--demo'], {
    env: {
      ...process.env,
      CXAUTH_DATA_DIR: data,
      CXAUTH_PORT: String(port),
      CXAUTH_API_PORT: String(await freePort()),
      CXAUTH_ISSUER: issuer,
      CXAUTH_DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    serve.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('saved to')) resolve();
    });
    serve.on('exit', (code) => reject(new Error(`cxauth serve exited ${code}: ${out}`)));
  });
  expect(out).toContain(`cxauth console: ${issuer}/console/`);
  demo = JSON.parse(readFileSync(path.join(data, 'demo-credentials.json'), 'utf8'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  console.log(`console screenshots: ${shots}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill('SIGTERM');
});

async function openConsole(width: number, height: number): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: issuer });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') violations.push(m.text());
  });
  await page.goto(`${issuer}/console/`);
  await page.getByLabel('E-mail').fill(demo['username'] ?? '');
  await page.getByLabel('Password').fill(demo['password'] ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
  return { page, violations };
}

it('serves the console with its CSP, and no-cache for index.html', async () => {
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
  const { page, violations } = await openConsole(1280, 800);
  await page.screenshot({ path: path.join(shots, 'desktop-applications.png'), fullPage: true });

  await page.getByRole('button', { name: 'Register an application' }).click();
  await page.getByLabel('Name').fill('shop backend');
  await page.getByLabel('Type').selectOption('backend');
  await page.getByLabel('Origins (CORS), one per line').fill('https://shop.example.com');
  await page.screenshot({ path: path.join(shots, 'desktop-register.png'), fullPage: true });
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
  await page.screenshot({ path: path.join(shots, 'desktop-secret-once.png'), fullPage: true });
  await page.getByRole('button', { name: 'I have saved it' }).click();
  // Shown once: gone from the page, and the list has the app with its origin.
  await expect(page.getByRole('region', { name: 'New client secret' }).count()).resolves.toBe(0);
  await page.getByRole('cell', { name: 'https://shop.example.com' }).waitFor();

  // The copied secret works for a grant (the demo user's access key through the new app).
  const viaNewApp = await passwordGrant(
    clientId,
    secret,
    demo['accessKeyId'] ?? '',
    demo['accessKeySecret'] ?? '',
  );
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
  await page.screenshot({ path: path.join(shots, 'desktop-access-keys.png'), fullPage: true });
  const first = await passwordGrant(demo['client_id'] ?? '', demo['client_secret'] ?? '', keyId, keySecret);
  expect(first.status).toBe(200);

  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.getByRole('button', { name: `Deactivate key ${keyId.slice(0, 8)}` }).click();
  await page.getByRole('row').filter({ hasText: keyId }).getByText('inactive').waitFor();
  const after = await passwordGrant(demo['client_id'] ?? '', demo['client_secret'] ?? '', keyId, keySecret);
  expect(after.status).toBe(400);
  expect(after.body['error']).toBe('invalid_grant');

  for (const name of ['Sessions', 'Audit log', 'Tenants']) {
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.screenshot({
      path: path.join(shots, `desktop-${name.replace(' ', '-').toLowerCase()}.png`),
      fullPage: true,
    });
  }
  expect(violations.filter((v) => v.includes('Content Security Policy'))).toEqual([]);
}, 90_000);

it('works at phone width', async () => {
  const { page, violations } = await openConsole(390, 844);
  await page.screenshot({ path: path.join(shots, 'phone-applications.png'), fullPage: true });
  await page.getByRole('link', { name: 'Access keys' }).click();
  await page.getByRole('heading', { name: 'Access keys', level: 1 }).waitFor();
  await page.getByRole('cell', { name: 'inactive' }).first().waitFor();
  await page.screenshot({ path: path.join(shots, 'phone-access-keys.png'), fullPage: true });
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Register an application' }).click();
  await page.screenshot({ path: path.join(shots, 'phone-register.png'), fullPage: true });
  expect(violations.filter((v) => v.includes('Content Security Policy'))).toEqual([]);
}, 60_000);
