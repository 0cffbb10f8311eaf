// The regional API server in-process: ServerTime format, area routing with tenant discovery on the
// refusal path only, RFC 6750 refusals, health and readiness, and the issuer being down.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accessClaims,
  appClaims,
  type FakeIssuer,
  mint,
  newKey,
  startIssuer,
} from '../../verify/test/support/issuer.js';
import { createRegionalServer, formatServerTime, SERVER_TIME_PATH } from '../src/index.js';
import { msToNs } from '../src/server-time.js';

const SERVER_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const TENANT_DISCOVERY = '/.well-known/cxone-configuration';

let issuer: FakeIssuer;
let app: FastifyInstance;
let now: number;

const tokenFor = (area: string, extra: Record<string, unknown> = {}) =>
  mint(issuer.key, { ...accessClaims(issuer.url, Math.floor(now / 1000), area), ...extra });
const get = (url: string, token?: string) =>
  app.inject({ url, headers: token ? { authorization: `bearer ${token}` } : {} });

beforeEach(async () => {
  issuer = await startIssuer();
  now = Date.now();
  app = await createRegionalServer({ area: 'na1', issuer: issuer.url, clock: () => now });
});

afterEach(async () => {
  await app.close();
  await issuer.close();
});

describe('server-time', () => {
  it('answers a token of this area with ServerTime in 7 fractional digits', async () => {
    const res = await get(SERVER_TIME_PATH, await tokenFor('na1'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { ServerTime } = res.json();
    expect(ServerTime).toMatch(SERVER_TIME);
    expect(Math.abs(Date.parse(ServerTime) - now)).toBeLessThan(1);
  });

  it('answers an application-subject token of this area, and refuses one of another area', async () => {
    const seconds = Math.floor(now / 1000);
    const ok = await get(SERVER_TIME_PATH, await mint(issuer.key, appClaims(issuer.url, seconds)));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().ServerTime).toMatch(SERVER_TIME);
    const elsewhere = await get(
      SERVER_TIME_PATH,
      await mint(issuer.key, appClaims(issuer.url, seconds, 'eu1')),
    );
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toMatchObject({ error: 'wrong_area', area: 'eu1' });
  });

  it('formats the reference example exactly', () => {
    const ms = Date.UTC(2021, 6, 21, 13, 38, 15, 356);
    expect(formatServerTime(BigInt(ms) * 1_000_000n + 57_300n)).toBe('2021-07-21T13:38:15.3560573Z');
    expect(formatServerTime(msToNs(ms + 0.0625))).toBe('2021-07-21T13:38:15.3560625Z');
    expect(formatServerTime(BigInt(Date.UTC(2000, 0, 1)) * 1_000_000n)).toBe('2000-01-01T00:00:00.0000000Z');
  });

  it('has real sub-millisecond digits with the default clock', async () => {
    const real = await createRegionalServer({ area: 'na1', issuer: issuer.url });
    try {
      const token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(Date.now() / 1000)));
      const times: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await real.inject({
          url: SERVER_TIME_PATH,
          headers: { authorization: `Bearer ${token}` },
        });
        times.push(res.json().ServerTime);
      }
      for (const t of times) expect(t).toMatch(SERVER_TIME);
      expect(times.some((t) => !t.endsWith('0000Z'))).toBe(true);
      expect(Math.abs(Date.parse(times[0]!) - Date.now())).toBeLessThan(5_000);
      expect([...times].sort()).toEqual(times);
    } finally {
      await real.close();
    }
  });
});

describe('areas', () => {
  it("refuses another area's token with 403 wrong_area naming its api_endpoint, looked up once", async () => {
    const token = await tokenFor('eu1');
    const tenantId = accessClaims(issuer.url, 0)['tenantId'] as string;
    issuer.tenants.set(tenantId, { area: 'eu1', api_endpoint: 'https://api-eu1.example.com' });
    for (let i = 0; i < 3; i++) {
      const res = await get(SERVER_TIME_PATH, token);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: 'wrong_area',
        error_description: expect.stringContaining('https://api-eu1.example.com'),
        area: 'eu1',
        api_endpoint: 'https://api-eu1.example.com',
      });
    }
    expect(issuer.hitsOf(TENANT_DISCOVERY)).toBe(1);
  });

  it('names the area when tenant discovery cannot answer', async () => {
    const res = await get(SERVER_TIME_PATH, await tokenFor('eu1'));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'wrong_area', area: 'eu1' });
    expect(res.json().error_description).toContain('area eu1');
    expect(res.json().api_endpoint).toBeUndefined();
  });

  it('does not read an oversized tenant discovery answer (the size cap of @cxauth/verify)', async () => {
    const tenantId = accessClaims(issuer.url, 0)['tenantId'] as string;
    const huge = { area: 'eu1', api_endpoint: 'https://api-eu1.example.com', padding: 'x'.repeat(64 * 1024) };
    issuer.tenants.set(tenantId, huge);
    const res = await get(SERVER_TIME_PATH, await tokenFor('eu1'));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'wrong_area', area: 'eu1' });
    expect(res.json().api_endpoint).toBeUndefined();
  });

  it('never calls tenant discovery for a token of this area', async () => {
    await get(SERVER_TIME_PATH, await tokenFor('na1'));
    expect(issuer.hitsOf(TENANT_DISCOVERY)).toBe(0);
  });
});

describe('refusals', () => {
  it('asks for credentials with a realm and no error code', async () => {
    const res = await get(SERVER_TIME_PATH);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="na1"');
  });

  it.each([
    ['garbage', async () => 'not-a-token'],
    ['forged key', async () => mint(await newKey(), accessClaims(issuer.url, Math.floor(now / 1000)))],
    ['expired', async () => tokenFor('na1', { exp: Math.floor(now / 1000) - 3600 })],
    ['wrong audience', async () => tokenFor('na1', { aud: 'other' })],
  ])('refuses a %s token with 401 invalid_token', async (_name, make) => {
    const res = await get(SERVER_TIME_PATH, await make());
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await get('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it('rejects invalid options at construction', async () => {
    await expect(createRegionalServer({ area: '', issuer: issuer.url })).rejects.toThrow(/area/);
    await expect(createRegionalServer({ area: 'na1', issuer: 'nope' })).rejects.toThrow(/issuer/);
  });
});

describe('health and the issuer being down', () => {
  it('is live at once and ready once the JWKS has loaded', async () => {
    await issuer.close();
    const lonely = await createRegionalServer({ area: 'na1', issuer: issuer.url, clock: () => now });
    try {
      expect((await lonely.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', area: 'na1' });
      const res = await lonely.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable' });
    } finally {
      await lonely.close();
    }
  });

  it('becomes ready when the JWKS comes back', async () => {
    issuer.jwksMode = 'error';
    const late = await createRegionalServer({ area: 'na1', issuer: issuer.url, clock: () => now });
    try {
      expect((await late.inject({ url: '/readyz' })).statusCode).toBe(503);
      issuer.jwksMode = 'ok';
      now += 1_000;
      expect((await late.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', area: 'na1' });
    } finally {
      await late.close();
    }
  });

  it('keeps serving valid tokens once the issuer is stopped', async () => {
    expect((await get(SERVER_TIME_PATH, await tokenFor('na1'))).statusCode).toBe(200);
    const token = await tokenFor('na1');
    await issuer.close();
    now += 10 * 60_000;
    expect((await get(SERVER_TIME_PATH, token)).statusCode).toBe(200);
    expect((await get('/readyz')).statusCode).toBe(200);
  });
});
