// The browser test's fixtures: a real `cxauth serve --demo` (the built CLI and console) on free ports,
// one headless Chromium (test/support/chromium.ts), sign-in through the hosted form, grants against
// the token endpoint, and a temporary folder for screenshots (its path is printed).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../test/support/chromium.js';

const AXE = fileURLToPath(new URL('../../../../node_modules/axe-core/axe.min.js', import.meta.url));

const CLI = fileURLToPath(new URL('../../../cli/bin/cxauth.js', import.meta.url));

export const shots = mkdtempSync(path.join(os.tmpdir(), 'cxauth-console-shots-'));

export interface Demo {
  issuer: string;
  creds: Record<string, string>;
  /** The server's data folder (its SQLite database is cxauth.db there). */
  dataDir: string;
  browser: Browser;
  /** Banner of `cxauth serve` up to its "saved to" line. */
  out: string;
  close: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `host`: the issuer's host (default 127.0.0.1; `localhost` can be a WebAuthn RP ID). */
export async function startDemo(o: { host?: '127.0.0.1' | 'localhost' } = {}): Promise<Demo> {
  const data = mkdtempSync(path.join(os.tmpdir(), 'cxauth-console-data-'));
  const port = await freePort();
  const issuer = `http://${o.host ?? '127.0.0.1'}:${port}`;
  const serve: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--demo'], {
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
  const creds = JSON.parse(readFileSync(path.join(data, 'demo-credentials.json'), 'utf8'));
  // The server listens on 127.0.0.1 only: the browser must not try ::1 for localhost.
  const browser = await launchChromium({ args: ['--host-resolver-rules=MAP localhost 127.0.0.1'] });
  console.log(`console screenshots: ${shots}`);
  return {
    issuer,
    creds,
    dataDir: data,
    browser,
    out,
    close: async () => {
      await browser.close();
      serve.kill('SIGTERM');
    },
  };
}

/** A fresh browser context (no sign-in session) at this size, signed in with e-mail and password. */
export async function openConsole(
  demo: Demo,
  size: { width: number; height: number },
  who: { email: string; password: string },
  home = 'Dashboard',
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; violations: string[] }> {
  const context = await demo.browser.newContext({ viewport: size, colorScheme });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.issuer });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') violations.push(m.text());
  });
  await page.goto(`${demo.issuer}/console/`);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  // Exact: where passkeys are offered there is "Sign in with a passkey" too.
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: home, level: 1 }).waitFor();
  return { page, violations };
}

export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** The password grant with an access key, through an application authenticated with its secret. */
export async function passwordGrant(
  issuer: string,
  client: { id: string; secret: string },
  key: { id: string; secret: string },
  scope = 'openid',
) {
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'password', username: key.id, password: key.secret, scope }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An admin-scoped token of the demo user, to change things behind the console's back. */
export async function adminToken(demo: Demo): Promise<string> {
  const grant = await passwordGrant(
    demo.issuer,
    { id: demo.creds['client_id'] ?? '', secret: demo.creds['client_secret'] ?? '' },
    { id: demo.creds['accessKeyId'] ?? '', secret: demo.creds['accessKeySecret'] ?? '' },
    'openid admin',
  );
  if (grant.status !== 200) throw new Error(`admin token: ${JSON.stringify(grant.body)}`);
  return String(grant.body['access_token']);
}

/** Calls the admin API with `token`. */
export async function adminCall(demo: Demo, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${demo.issuer}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is now, as
 * `rule: selectors` lines (empty when there are none). axe's source is evaluated through the
 * debugging protocol, which the page's CSP does not govern, so the page runs under its real CSP.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}
