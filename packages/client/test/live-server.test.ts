// The SDK against the real thing, in-process over sockets: @cxauth/server's global service (demo
// seed) and @cxauth/regional's na1 API, with one injectable clock for both so expiry is real.
import { randomUUID } from 'node:crypto';
import { createRegionalServer } from '@cxauth/regional';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { type DemoService, startDemoService } from '../../server/test/support/service.js';
import { type ClientOptions, createClient, discoverTenant } from '../src/index.js';
import { failure } from './support/failure.js';

const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
const SERVER_TIME_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

let svc: DemoService;
let api: FastifyInstance;
let creds: DemoService['creds'];
let apiEndpoint: string;
/** Added to the servers' clock (global service and regional API) to make tokens expire for real. */
let shift = 0;
const serverNow = () => Date.now() + shift;

/** A fetch that records what the client sent: token requests by grant type, and every URL. */
function recorder() {
  const grants: string[] = [];
  const urls: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = String(input);
    urls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    if (url.endsWith('/auth/token'))
      grants.push(new URLSearchParams(String(init?.body)).get('grant_type') ?? '');
    return globalThis.fetch(input, init);
  };
  return { grants, urls, fetch };
}

function client(over: Partial<ClientOptions> = {}) {
  return createClient({
    issuer: creds.issuer,
    clientId: creds.client_id,
    clientSecret: creds.client_secret,
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    now: serverNow,
    timeoutMs: 20_000,
    ...over,
  });
}

beforeAll(async () => {
  const apiPort = await freePort();
  svc = await startDemoService({
    env: { CXAUTH_API_PORT: String(apiPort) },
    now: () => new Date(serverNow()),
  });
  creds = svc.creds;
  api = await createRegionalServer({
    area: 'na1',
    issuer: svc.config.issuer,
    audience: svc.config.tokens.audience,
    clock: serverNow,
  });
  await api.listen({ host: '127.0.0.1', port: apiPort });
  apiEndpoint = `http://127.0.0.1:${apiPort}`;
});

afterAll(async () => {
  await api?.close();
  await svc?.close();
});

describe('the reference flow against cxauth serve', () => {
  it('discovery, access-key grant, tenantId from the token, tenant discovery, and the server time', async () => {
    const rec = recorder();
    const c = client({ fetch: rec.fetch });
    const time = await c.api<{ ServerTime: string }>('GET', SERVER_TIME);
    expect(time.ServerTime).toMatch(SERVER_TIME_FORMAT);
    expect(Math.abs(Date.parse(time.ServerTime) - serverNow())).toBeLessThan(60_000);
    expect(await c.tenantId()).toBe(creds.tenantId);
    expect((await c.tenant()).api_endpoint).toBe(apiEndpoint);
    expect((await c.discover()).issuer).toBe(creds.issuer);
    expect(rec.urls).toEqual([
      'GET /.well-known/openid-configuration',
      'POST /auth/token',
      'GET /.well-known/cxone-configuration',
      `GET ${SERVER_TIME}`,
    ]);
  });

  it('200 concurrent API calls on a cold client make exactly one token request', async () => {
    const rec = recorder();
    const c = client({ fetch: rec.fetch });
    const results = await Promise.all(Array.from({ length: 200 }, () => c.request('GET', SERVER_TIME)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(200);
    expect(rec.grants).toEqual(['password']);
    expect(rec.urls.filter((u) => u.includes('cxone-configuration'))).toHaveLength(1);
  });

  it('refreshes an expired token with its refresh token before calling', async () => {
    const rec = recorder();
    const c = client({ fetch: rec.fetch });
    const first = await c.token();
    await c.api('GET', SERVER_TIME);
    shift += 3_601_000; // the token has expired for the servers and for the client
    await c.api('GET', SERVER_TIME);
    expect(rec.grants).toEqual(['password', 'refresh_token']);
    expect((await c.token()).accessToken).not.toBe(first.accessToken);
  });

  it('a token the API refuses as expired (401) is renewed once and the call retried once', async () => {
    const rec = recorder();
    // The client's own clock does not move: it believes its token fresh when the API says 401.
    const c = client({ fetch: rec.fetch, now: Date.now });
    await c.api('GET', SERVER_TIME);
    shift += 7_200_000;
    const time = await c.api<{ ServerTime: string }>('GET', SERVER_TIME);
    expect(time.ServerTime).toMatch(SERVER_TIME_FORMAT);
    expect(rec.grants).toEqual(['password', 'refresh_token']);
    expect(rec.urls.filter((u) => u.endsWith('server-time'))).toHaveLength(3);
  });

  it('falls back to a new grant when the session was revoked (rotated refresh token reused)', async () => {
    const rec = recorder();
    const c = client({ fetch: rec.fetch });
    const { refreshToken } = await c.token();
    // Someone else uses the refresh token first: the client's copy is now a reused, rotated token,
    // and presenting it revokes the session (RFC 9700 §4.14.2).
    const basic = Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64');
    const stolen = await fetch(`${creds.issuer}/auth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken! }),
    });
    expect(stolen.status).toBe(200);
    shift += 3_601_000;
    const time = await c.api<{ ServerTime: string }>('GET', SERVER_TIME);
    expect(time.ServerTime).toMatch(SERVER_TIME_FORMAT);
    expect(rec.grants).toEqual(['password', 'refresh_token', 'password']);
  });
});

describe('error codes from real failures', () => {
  it('invalid_client: a wrong client secret', async () => {
    const err = await failure(client({ clientSecret: 'not-the-secret' }).token());
    expect(err).toMatchObject({ code: 'invalid_client', status: 401, error: 'invalid_client' });
    expect(err.message).not.toContain('not-the-secret');
  });

  it('invalid_grant: a wrong access-key secret', async () => {
    const err = await failure(
      client({ accessKeySecret: `${creds.accessKeySecret.slice(0, -6)}AAAA==` }).token(),
    );
    expect(err).toMatchObject({ code: 'invalid_grant', status: 400, error: 'invalid_grant' });
    expect(err.message).toMatch(/access key/);
  });

  it('token_request_failed: a scope the server does not offer', async () => {
    const err = await failure(client({ scope: 'superuser' }).token());
    expect(err).toMatchObject({ code: 'token_request_failed', error: 'invalid_scope' });
  });

  it('tenant_not_found: an unknown tenant', async () => {
    const err = await failure(discoverTenant(creds.issuer, randomUUID()));
    expect(err).toMatchObject({ code: 'tenant_not_found', status: 404 });
  });

  it('discovery_failed: an issuer URL that is not an issuer (the regional API)', async () => {
    expect((await failure(client({ issuer: apiEndpoint }).discover())).code).toBe('discovery_failed');
  });

  it('api_error: a path the API does not have', async () => {
    const err = await failure(client().api('GET', '/inContactAPI/services/v25.0/no-such-thing'));
    expect(err).toMatchObject({ code: 'api_error', status: 404 });
  });

  it('network: the servers are down', async () => {
    const warm = client();
    await warm.token();
    await api.close();
    expect((await failure(warm.api('GET', SERVER_TIME))).code).toBe('network');
    await svc.app.close();
    expect((await failure(client().discover())).code).toBe('network');
  });
});
