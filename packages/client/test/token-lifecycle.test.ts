// Token lifecycle against a controllable fake issuer: caching, single flight, renewal before expiry,
// fallback to a new grant, one retry after 401, bounded 429 retries, and every error code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClientOptions, createClient } from '../src/index.js';
import { failure } from './support/failure.js';
import { startFakeHost } from './support/fake-host.js';
import { APP, type FakeIssuer, KEY, SERVER_TIME, startFakeIssuer, TENANT } from './support/fake-issuer.js';

const PATH = '/api/server-time';
let fake: FakeIssuer;
let clock: number;
let slept: number[];

function client(over: Partial<ClientOptions> = {}) {
  return createClient({
    issuer: fake.url,
    ...APP,
    ...KEY,
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...over,
  });
}

beforeEach(async () => {
  fake = await startFakeIssuer();
  clock = 1_700_000_000_000;
  slept = [];
});
afterEach(async () => {
  await fake.close();
});

describe('token cache and single flight', () => {
  it('200 concurrent calls on a cold client make one discovery, one token and one tenant request', async () => {
    const c = client();
    const results = await Promise.all(Array.from({ length: 200 }, () => c.request('GET', PATH)));
    expect(
      results.every((r) => r.status === 200 && JSON.stringify(r.data) === JSON.stringify(SERVER_TIME)),
    ).toBe(true);
    expect(fake.count).toEqual({ password: 1, refresh_token: 0, api: 200, tenant: 1, discovery: 1 });
  });

  it('reuses the token until shortly before expiry, then refreshes once', async () => {
    const c = client({ refreshSkewMs: 60_000 });
    const first = await c.token();
    clock += 3_539_000; // 61 s before expiry: still fresh
    expect((await c.token()).accessToken).toBe(first.accessToken);
    clock += 2_000; // 59 s before expiry: renewed, with the refresh token
    const [a, b] = await Promise.all([c.token(), c.token()]);
    expect(a.accessToken).not.toBe(first.accessToken);
    expect(b.accessToken).toBe(a.accessToken);
    expect(fake.count.password).toBe(1);
    expect(fake.count.refresh_token).toBe(1);
    expect(new URLSearchParams(fake.of('token')[1]!.body).get('refresh_token')).toBe(first.refreshToken);
  });

  it('rides out a failed early renewal on the still-valid token, but not past its expiry', async () => {
    const c = client({ refreshSkewMs: 60_000 });
    const first = await c.token();
    fake.override = (req) =>
      req.path === '/auth/token' ? { status: 503, body: { error: 'temporarily_unavailable' } } : undefined;
    clock += 3_570_000; // 30 s before expiry: renewal due, the token endpoint is down
    expect((await c.token()).accessToken).toBe(first.accessToken);
    clock += 31_000; // expired: the failure surfaces
    expect((await failure(c.token())).code).toBe('token_request_failed');
    fake.override = undefined;
    expect((await c.token()).accessToken).not.toBe(first.accessToken);
  });

  it('falls back to a new grant when the refresh token is refused (session ended)', async () => {
    const c = client();
    await c.token();
    fake.validRefresh.clear();
    clock += 3_600_000;
    const renewed = await c.token();
    expect(fake.count).toMatchObject({ password: 2, refresh_token: 1 });
    expect(fake.validAccess.has(renewed.accessToken)).toBe(true);
  });

  it('renews once and retries once after a 401, however many calls saw it', async () => {
    const c = client();
    await c.api('GET', PATH);
    fake.validAccess.clear();
    const results = await Promise.all(Array.from({ length: 20 }, () => c.request('GET', PATH)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(fake.count.refresh_token).toBe(1);
    expect(fake.count.password).toBe(1);
  });

  it('never loops on 401: a second 401 is an api_error', async () => {
    const c = client();
    fake.override = (req) =>
      req.path.startsWith('/api/')
        ? {
            status: 401,
            headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="bad audience"' },
          }
        : undefined;
    const err = await failure(c.api('GET', PATH));
    expect(err.code).toBe('api_error');
    expect(err.status).toBe(401);
    expect(err.error).toBe('invalid_token');
    expect(err.errorDescription).toBe('bad audience');
    expect(fake.of('api')).toHaveLength(2);
    expect(fake.count.refresh_token).toBe(1);
  });
});

describe('429 Too Many Requests', () => {
  it('retries after Retry-After', async () => {
    let n = 0;
    fake.override = (req) =>
      req.path.startsWith('/api/') && n++ < 2 ? { status: 429, headers: { 'Retry-After': '3' } } : undefined;
    expect(await client().api('GET', PATH)).toEqual(SERVER_TIME);
    expect(slept).toEqual([3000, 3000]);
  });

  it('gives up after maxRetries with rate_limited', async () => {
    fake.override = (req) =>
      req.path.startsWith('/api/') ? { status: 429, headers: { 'Retry-After': '1' } } : undefined;
    const err = await failure(client({ maxRetries: 3 }).api('GET', PATH));
    expect(err.code).toBe('rate_limited');
    expect(fake.of('api')).toHaveLength(4);
    expect(slept).toEqual([1000, 1000, 1000]);
  });

  it('does not wait longer than maxRetryWaitMs (HTTP-date form too)', async () => {
    const later = new Date(clock + 120_000).toUTCString();
    fake.override = (req) =>
      req.path.startsWith('/api/') ? { status: 429, headers: { 'Retry-After': later } } : undefined;
    const err = await failure(client({ maxRetryWaitMs: 30_000 }).api('GET', PATH));
    expect(err.code).toBe('rate_limited');
    expect(slept).toEqual([]);
  });
});

describe('error codes', () => {
  it('invalid_client names the application, carries the server error and no secret', async () => {
    const err = await failure(client({ clientSecret: 'wrong-secret-QQ' }).token());
    expect(err.code).toBe('invalid_client');
    expect(err.status).toBe(401);
    expect(err.error).toBe('invalid_client');
    expect(err.errorDescription).toBe('client authentication failed');
    expect(err.message).toMatch(/client_id and client_secret/);
    expect(JSON.stringify({ m: err.message, j: err })).not.toMatch(/wrong-secret-QQ|KEYSECRET/);
  });

  it('invalid_grant on the password grant names the access key', async () => {
    const err = await failure(client({ accessKeySecret: 'WRONGKEYSECRET====' }).token());
    expect(err.code).toBe('invalid_grant');
    expect(err.message).toMatch(/access key/);
    expect(err.message).not.toMatch(/WRONGKEYSECRET/);
  });

  it('invalid_token_response when a 200 is not a token response', async () => {
    fake.override = (req) =>
      req.path === '/auth/token' ? { body: { access_token: 'x', token_type: 'mac' } } : undefined;
    expect((await failure(client().token())).code).toBe('invalid_token_response');
  });

  it('token_request_failed for other token endpoint errors', async () => {
    fake.override = (req) =>
      req.path === '/auth/token' ? { status: 400, body: { error: 'invalid_scope' } } : undefined;
    const err = await failure(client({ scope: 'nope' }).token());
    expect(err.code).toBe('token_request_failed');
    expect(err.error).toBe('invalid_scope');
    expect(new URLSearchParams(fake.of('token')[0]!.body).get('scope')).toBe('nope');
  });

  it('discovery_failed on an error answer or a document naming another issuer', async () => {
    fake.override = (req) => (req.path.includes('openid') ? { status: 500, body: 'oops' } : undefined);
    expect((await failure(client().discover())).code).toBe('discovery_failed');
    fake.override = (req) =>
      req.path.includes('openid')
        ? { body: { issuer: 'https://evil.example', token_endpoint: 'https://evil.example/t' } }
        : undefined;
    const err = await failure(client().token());
    expect(err.code).toBe('discovery_failed');
    expect(fake.count.password).toBe(0);
  });

  it('caches discovery and retries it after a failure', async () => {
    let fail = true;
    fake.override = (req) => (req.path.includes('openid') && fail ? { status: 503 } : undefined);
    const c = client();
    expect((await failure(c.discover())).code).toBe('discovery_failed');
    fail = false;
    await c.discover();
    await c.discover();
    expect(fake.requests.filter((r) => r.path.includes('openid'))).toHaveLength(2);
  });

  it('tenant_not_found when the tenant is unknown', async () => {
    fake.override = (req) =>
      req.path === '/auth/token'
        ? {
            body: {
              access_token: `${btoa('{}')}.${btoa('{"tenantId":"nobody"}')}.x`,
              token_type: 'Bearer',
              expires_in: 60,
            },
          }
        : undefined;
    const err = await failure(client().api('GET', PATH));
    expect(err.code).toBe('tenant_not_found');
    expect(err.status).toBe(404);
  });

  it('api_error with the status and body of a failed call', async () => {
    fake.override = (req) =>
      req.path.startsWith('/api/') ? { status: 503, body: { message: 'down' } } : undefined;
    const err = await failure(client().api('POST', PATH, { json: { a: 1 } }));
    expect(err.code).toBe('api_error');
    expect(err.status).toBe(503);
    expect(err.body).toEqual({ message: 'down' });
    const sent = fake.of('api')[0]!;
    expect(sent.body).toBe('{"a":1}');
    expect(sent.headers['content-type']).toBe('application/json');
  });

  it("api_error carries an error body's RFC 6749 §5.2 fields before the WWW-Authenticate ones", async () => {
    fake.override = (req) =>
      req.path.startsWith('/api/')
        ? {
            status: 403,
            headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
            body: { error: 'insufficient_scope', error_description: 'needs admin' },
          }
        : undefined;
    const err = await failure(client().api('GET', PATH));
    expect(err).toMatchObject({ code: 'api_error', status: 403 });
    expect(err.error).toBe('insufficient_scope');
    expect(err.errorDescription).toBe('needs admin');
    expect(err.message).toBe(`GET ${PATH} answered 403 (insufficient_scope: needs admin)`);
  });

  it('network when nothing listens', async () => {
    const gone = await startFakeHost(() => ({}));
    await gone.close();
    const err = await failure(client({ issuer: gone.url }).discover());
    expect(err.code).toBe('network');
    expect(err.cause).toBeDefined();
  });

  it('timeout when the server does not answer in time', async () => {
    fake.override = (req) => (req.path.includes('openid') ? { hang: true } : undefined);
    const err = await failure(client({ timeoutMs: 200 }).discover());
    expect(err.code).toBe('timeout');
  });

  it('a fractional timeoutMs works (rounded up to whole ms); one past the timer limit is invalid_config', async () => {
    // AbortSignal.timeout takes only a whole number of ms up to 2^32 - 1: anything else threw a bare
    // RangeError from every request, which the CLI reported as an unexpected failure.
    expect((await client({ timeoutMs: 2000.5 }).discover()).token_endpoint).toBe(`${fake.url}/auth/token`);
    expect(() => client({ timeoutMs: 2 ** 32 })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('invalid_argument for a body on GET or HEAD (fetch cannot send one), before any request', async () => {
    for (const method of ['GET', 'head']) {
      const err = await failure(client().api(method, PATH, { json: { a: 1 } }));
      expect(err.code).toBe('invalid_argument');
    }
    expect(fake.count.api).toBe(0);
  });

  it('invalid_config for an apiEndpoint that is not an http(s) URL', () => {
    for (const apiEndpoint of ['foo', 'ftp://x', 'file:///etc']) {
      expect(() => client({ apiEndpoint })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    }
    expect(client({ apiEndpoint: `${fake.url}/` })).toBeDefined();
  });

  it('never sends the bearer token over plain http to another host (RFC 6750 §5.3)', async () => {
    expect(() => client({ apiEndpoint: 'http://api.example.com' })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(client({ apiEndpoint: 'https://api.example.com' })).toBeDefined();
    // A discovered api_endpoint gets the same rule: the API is never called.
    fake.override = (req) =>
      req.path.startsWith('/.well-known/cxone-configuration')
        ? { body: { tenantId: TENANT, area: 'na1', api_endpoint: 'http://api-na1.example.com' } }
        : undefined;
    const err = await failure(client().api('GET', PATH));
    expect(err.code).toBe('discovery_failed');
    expect(err.message).toMatch(/plain http/);
    expect(fake.count.api).toBe(0);
  });

  it('invalid_config without credentials, invalid_argument for a URL instead of a path', async () => {
    expect((await failure(createClient({ issuer: fake.url }).token())).code).toBe('invalid_config');
    expect((await failure(client().api('GET', 'https://evil.example/x'))).code).toBe('invalid_argument');
    expect((await failure(client().api('GE T', PATH))).code).toBe('invalid_argument');
  });
});
