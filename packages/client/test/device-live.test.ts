// The SDK's device flow (RFC 8628) against a live cxauth service whose clock the SDK's injected
// `sleep` moves (nothing sleeps): the waits follow `interval` and grow by 5 s after a slow_down, the
// approval ends in tokens, a denial in access_denied, an expiry in authorization_expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE } from '../../server/src/domain/app-types.js';
import type { Application } from '../../server/src/domain/types.js';
import { startTestService, type TestService } from '../../server/test/support/service.js';
import { Browser, hiddenInputs, PASSWORD, publicApp, signInUser } from '../../server/test/support/sign-in.js';
import { isClientError, pollDeviceAuthorization, startDeviceAuthorization } from '../src/index.js';

let svc: TestService;
let app: Application;
let email: string;

beforeAll(async () => {
  svc = await startTestService({ listen: true });
  app = await publicApp(svc, {
    name: 'Device CLI',
    grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE],
  });
  ({ email } = (await signInUser(svc)).user);
});
afterAll(async () => svc?.close());

/** The person at the verification page (in process): the code, the sign-in, then Allow or Deny. */
async function answer(userCode: string, decision: 'allow' | 'deny'): Promise<void> {
  const browser = new Browser(svc.app);
  const page = await browser.get('/auth/device/verify');
  const signIn = await browser.post('/auth/device/verify', {
    ...hiddenInputs(page.body),
    user_code: userCode,
  });
  const confirm = await browser.post('/auth/device/verify', {
    ...hiddenInputs(signIn.body),
    username: email,
    password: PASSWORD,
  });
  const done = await browser.post('/auth/device/verify', { ...hiddenInputs(confirm.body), decision });
  expect(done.statusCode).toBe(200);
}

/** HTTP options whose clock is the service's, and whose sleep moves it (by `shift(ms)` seconds). */
function timing(onSleep: (ms: number, n: number) => Promise<number>) {
  const waits: number[] = [];
  return {
    waits,
    now: () => svc.clock.now().getTime(),
    sleep: async (ms: number) => {
      waits.push(ms);
      svc.clock.advance(await onSleep(ms, waits.length));
    },
  };
}

describe('startDeviceAuthorization and pollDeviceAuthorization', () => {
  it('waits the interval, 5 s more after a slow_down, and returns the tokens once approved', async () => {
    let userCode = '';
    const t = timing(async (ms, n) => {
      // The second wait is cut short (as a device whose timer fired early): the issuer says slow_down.
      if (n === 2) return ms / 1000 - 1;
      if (n === 4) await answer(userCode, 'allow');
      return ms / 1000;
    });
    const device = await startDeviceAuthorization({ issuer: svc.url, clientId: app.clientId, now: t.now });
    userCode = device.userCode;
    expect(device).toMatchObject({ verificationUri: `${svc.url}/auth/device/verify`, interval: 5 });
    expect(device.verificationUriComplete).toBe(`${device.verificationUri}?user_code=${device.userCode}`);
    const { tokens, claims } = await pollDeviceAuthorization(device, t);
    expect(t.waits).toEqual([5000, 5000, 10_000, 10_000]);
    expect(tokens.refresh_token).toBeTruthy();
    expect(claims['aud']).toBe(app.clientId);
  });

  it('ends with access_denied when the person denies', async () => {
    let userCode = '';
    const t = timing(async (ms) => {
      await answer(userCode, 'deny');
      return ms / 1000;
    });
    const device = await startDeviceAuthorization({ issuer: svc.url, clientId: app.clientId, now: t.now });
    userCode = device.userCode;
    const err = await pollDeviceAuthorization(device, t).catch((e: unknown) => e);
    expect(isClientError(err, 'access_denied')).toBe(true);
  });

  it('ends with authorization_expired when nobody answers in time', async () => {
    const t = timing(async (ms) => ms / 1000 + 120);
    const device = await startDeviceAuthorization({ issuer: svc.url, clientId: app.clientId, now: t.now });
    const err = await pollDeviceAuthorization(device, t).catch((e: unknown) => e);
    expect(isClientError(err, 'authorization_expired')).toBe(true);
  });

  it('refuses an app that did not opt in', async () => {
    const other = await publicApp(svc);
    const err = await startDeviceAuthorization({ issuer: svc.url, clientId: other.clientId }).catch(
      (e: unknown) => e,
    );
    expect(isClientError(err, 'token_request_failed')).toBe(true);
    expect((err as { error?: string }).error).toBe('unauthorized_client');
  });
});
