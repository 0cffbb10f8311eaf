// RFC 8628 under a storage fault: the device authorization endpoint, the device_code grant and the
// verification page answer 503 with Retry-After, never a 500 and never a detail of the database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEVICE_CODE } from '../src/domain/app-types.js';
import type { Application } from '../src/domain/types.js';
import type { DeviceAuthorizationRepository } from '../src/storage/contract/index.js';
import { StorageUnavailableError } from '../src/storage/errors.js';
import { FORM, form, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { Browser, hiddenInputs, publicApp } from './support/sign-in.js';

let svc: TestService;
let app: Application;
const down = async (): Promise<never> => {
  throw new StorageUnavailableError('connection refused (device_authorizations)', 7);
};

beforeAll(async () => {
  svc = await startTestService({
    wrapStorage: (storage) => ({
      ...storage,
      deviceAuthorizations: new Proxy({} as DeviceAuthorizationRepository, { get: () => down }),
    }),
  });
  app = await publicApp(svc, { grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE] });
});
afterAll(async () => svc?.close());

it('answers 503 with Retry-After at /auth/device, /auth/token and the verification page', async () => {
  const device = await svc.app.inject({
    method: 'POST',
    url: '/auth/device',
    headers: { 'content-type': FORM },
    payload: form({ client_id: app.clientId }),
  });
  const poll = await tokenRequest(svc.app, {
    grant_type: DEVICE_CODE,
    device_code: 'x'.repeat(43),
    client_id: app.clientId,
  });
  const browser = new Browser(svc.app);
  const page = await browser.get('/auth/device/verify');
  const verify = await browser.post('/auth/device/verify', {
    ...hiddenInputs(page.body),
    user_code: 'BCDF-GHJK',
  });
  for (const res of [device, poll, verify]) {
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).not.toContain('connection refused');
  }
});
