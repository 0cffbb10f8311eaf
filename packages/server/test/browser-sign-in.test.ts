// A real browser (Chromium through playwright-core) signs a user in through the hosted page, with and
// without TOTP, and lands on the redirect URI with a code; screenshots at phone and desktop widths go
// to a temporary folder (its path is printed). The browser is the system Chromium or the npm one
// (test/support/chromium.ts).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import type { Application } from '../src/domain/types.js';
import { hotp, totpStep } from '../src/secrets/totp.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, PASSWORD, pkce, publicApp, REDIRECT, signInUser } from './support/sign-in.js';

let svc: TestService;
let app: Application;
let issuer: string;
let browser: Browser;
const shots = mkdtempSync(path.join(os.tmpdir(), 'cxauth-sign-in-shots-'));

beforeAll(async () => {
  // The real clock: the browser's requests and the TOTP code must agree on the time.
  svc = await startTestService({ listen: true });
  issuer = svc.url;
  svc.clock.current = new Date();
  setInterval(() => {
    svc.clock.current = new Date();
  }, 200).unref();
  app = await publicApp(svc);
  browser = await launchChromium();
  console.log(`sign-in screenshots: ${shots}`);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function signInWith(o: { totp: boolean; name: string }) {
  const { user, totpSecret } = await signInUser(svc, { totp: o.totp });
  for (const [width, height, label] of [
    [390, 844, 'phone'],
    [1280, 800, 'desktop'],
  ] as const) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    // The app's redirect URI has no server here: the browser's request for it is what the test reads
    // (its navigation then fails, which does not matter). Not intercepted with page.route: the npm
    // Chromium does not hand a redirected navigation to the interception (test/support/chromium.ts).
    const landing = page.waitForRequest((r) => r.url().startsWith(REDIRECT), { timeout: 30_000 });
    await page.goto(`${issuer}/auth/authorize?${authorizeQuery(app, pkce())}`);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.screenshot({ path: path.join(shots, `${o.name}-${label}-sign-in.png`), fullPage: true });
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (o.totp) {
      const field = page.getByLabel('6-digit code');
      await field.waitFor();
      await page.screenshot({ path: path.join(shots, `${o.name}-${label}-otp.png`), fullPage: true });
      // A later step for the second viewport (±1 step is accepted): a code is accepted once.
      const step = totpStep(new Date()) + (label === 'desktop' ? 1 : 0);
      await field.fill(hotp(totpSecret as Buffer, step));
      await page.getByRole('button', { name: 'Verify' }).click();
    }
    const landed = new URL((await landing).url());
    expect(landed.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(landed.searchParams.get('state')).toBe('st-123');
    expect(landed.searchParams.get('iss')).toBe(issuer);
    await context.close();
  }
}

it(
  'signs in with a password in Chromium at phone and desktop widths',
  () => signInWith({ totp: false, name: 'password' }),
  60_000,
);

it(
  'signs in with a password and a TOTP code in Chromium',
  () => signInWith({ totp: true, name: 'totp' }),
  90_000,
);
