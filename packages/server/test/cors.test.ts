// CORS per application: registered origins of active applications only, on every browser endpoint,
// preflight and error responses included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

const ALLOWED = 'https://app.example.com';
const INACTIVE = 'https://old.example.com';
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ application: { origins: [ALLOWED] } });
  await svc.addApplication({ origins: [INACTIVE], status: 'inactive' });
});
afterAll(async () => svc?.close());

const ENDPOINTS: [string, string][] = [
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/auth/jwks'],
  ['GET', '/auth/userinfo'],
  ['POST', '/auth/token'],
  ['GET', '/.well-known/cxone-configuration'],
];

describe('CORS', () => {
  it.each(ENDPOINTS)('%s %s allows a registered origin (error responses too)', async (method, url) => {
    const res = await svc.app.inject({ method: method as 'GET', url, headers: { origin: ALLOWED } });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['vary']).toContain('Origin');
  });

  it.each(ENDPOINTS)('%s %s gives other origins nothing', async (method, url) => {
    for (const origin of ['https://evil.example', INACTIVE, 'null', `${ALLOWED}.evil.example`]) {
      const res = await svc.app.inject({ method: method as 'GET', url, headers: { origin } });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['vary']).toContain('Origin');
    }
  });

  it('answers the preflight of the token endpoint for a registered origin', async () => {
    const res = await svc.app.inject({
      method: 'OPTIONS',
      url: '/auth/token',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, DPoP');
    expect(res.headers['access-control-max-age']).toBeDefined();
  });

  it('gives a foreign preflight no permission', async () => {
    const res = await svc.app.inject({
      method: 'OPTIONS',
      url: '/auth/userinfo',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('adds CORS to a successful token response', async () => {
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret), origin: ALLOWED },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('does not apply to the health probes', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/healthz', headers: { origin: ALLOWED } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sees a new application and a deactivated one at once, with the origin set cached', async () => {
    const later = 'https://later.example.com';
    const probe = () =>
      svc.app.inject({ method: 'GET', url: '/auth/jwks', headers: { origin: later } }).then((r) => r.headers);
    // The set is cached now (ALLOWED was served above), and does not hold `later` yet.
    expect((await probe())['access-control-allow-origin']).toBeUndefined();
    const extra = await svc.addApplication({ origins: [later] });
    expect((await probe())['access-control-allow-origin']).toBe(later);
    await svc.storage.applications.setStatus(extra.clientId, 'inactive', svc.clock.now());
    expect((await probe())['access-control-allow-origin']).toBeUndefined();
  });
});
