// RFC 8628 end to end over a real socket: oauth4webapi, an independent client, runs the device flow
// (device authorization request, polling, token response and id_token checks) while Chromium plays
// the person at the verification page — the pre-filled user code, the sign-in form, the confirmation.
import * as oauth from 'oauth4webapi';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { freePort } from '../../../test/support/ports.js';
import { DEVICE_CODE } from '../src/domain/app-types.js';
import type { Application, User } from '../src/domain/types.js';
import { startTestService, type TestService } from './support/service.js';
import { PASSWORD, publicApp, signInUser } from './support/sign-in.js';

let svc: TestService;
let as: oauth.AuthorizationServer;
let app: Application;
let client: oauth.Client;
let user: User;
let browser: Browser;
let context: BrowserContext;
// Plain http is fine on the loopback interface of a test.
const insecure = { [oauth.allowInsecureRequests]: true };
const GRANTS = ['authorization_code', 'refresh_token', DEVICE_CODE] as Application['grantTypes'];

beforeAll(async () => {
  const port = await freePort();
  // The real clock: Chromium's requests and the polls happen in real time (nothing sleeps).
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}`, now: () => new Date() });
  await svc.app.listen({ host: '127.0.0.1', port });
  const issuer = new URL(svc.config.issuer);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
  );
  app = await publicApp(svc, { name: 'Device CLI', grantTypes: GRANTS });
  client = { client_id: app.clientId };
  ({ user } = await signInUser(svc));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 390, height: 844 } });
}, 60_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await svc?.close();
});

async function startDevice(c: oauth.Client = client) {
  const response = await oauth.deviceAuthorizationRequest(
    as,
    c,
    oauth.None(),
    { scope: 'openid profile offline_access' },
    insecure,
  );
  return oauth.processDeviceAuthorizationResponse(as, c, response);
}

async function pollOnce(deviceCode: string, c: oauth.Client = client) {
  const response = await oauth.deviceCodeGrantRequest(as, c, oauth.None(), deviceCode, insecure);
  return oauth.processDeviceCodeResponse(as, c, response);
}

/** The OAuth error a poll ends with. */
async function pollError(deviceCode: string, c: oauth.Client = client): Promise<string> {
  try {
    await pollOnce(deviceCode, c);
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return err.error;
    throw err;
  }
  throw new Error('the poll issued tokens');
}

/** Chromium opens `verification_uri_complete`, continues with the pre-filled code, and answers. */
async function verifyInChromium(uri: string, userCode: string, decision: 'Allow' | 'Deny'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(uri);
  await expect.poll(() => page.getByLabel('Code shown on your device').inputValue()).toBe(userCode);
  await page.getByRole('button', { name: 'Continue' }).click();
  const email = page.getByLabel('E-mail');
  const confirm = page.getByRole('button', { name: decision });
  await Promise.race([email.waitFor(), confirm.waitFor()]);
  if (await email.isVisible()) {
    await email.fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('heading', { name: 'Sign in to Device CLI on your device?' }).waitFor();
  await confirm.click();
  return page;
}

describe('oauth4webapi and Chromium through the device flow', () => {
  it('discovers the device authorization endpoint', () => {
    expect(as.device_authorization_endpoint).toBe(`${svc.config.issuer}/auth/device`);
  });

  it('polls (pending, slow_down), the person approves in Chromium, and the device gets tokens', async () => {
    const device = await startDevice();
    expect(device.verification_uri).toBe(`${svc.config.issuer}/auth/device/verify`);
    expect(device.interval).toBe(5);
    expect(await pollError(device.device_code)).toBe('authorization_pending');
    // At once again: sooner than the interval (RFC 8628 §3.5).
    expect(await pollError(device.device_code)).toBe('slow_down');

    const page = await verifyInChromium(
      device.verification_uri_complete as string,
      device.user_code,
      'Allow',
    );
    await page.getByText('Device CLI is signed in on your device').waitFor();
    await page.close();

    const result = await pollOnce(device.device_code);
    expect(result.token_type).toBe('bearer');
    expect(result.refresh_token).toBeTruthy();
    const claims = oauth.getValidatedIdTokenClaims(result);
    expect(claims).toMatchObject({ sub: `user:${user.id}`, aud: app.clientId, iss: svc.config.issuer });
    // Spent: a second exchange of the same device code is refused.
    expect(await pollError(device.device_code)).toBe('invalid_grant');
  }, 60_000);

  it("denies in Chromium (already signed in), and refuses another app's poll of the code", async () => {
    const device = await startDevice();
    const other = await publicApp(svc, { grantTypes: GRANTS });
    const page = await verifyInChromium(device.verification_uri_complete as string, device.user_code, 'Deny');
    await page.getByText('You denied Device CLI').waitFor();
    await page.close();
    expect(await pollError(device.device_code, { client_id: other.clientId })).toBe('invalid_grant');
    expect(await pollError(device.device_code)).toBe('access_denied');
  }, 60_000);
});
