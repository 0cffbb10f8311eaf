// Pointed at the hosted issuer (https://cxone.niceincontact.com), the client sends exactly the
// requests of the reference document: checked byte for byte by a local fake of that host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import {
  type FakeHost,
  fakeJwt,
  type Recorded,
  type Reply,
  rewritingFetch,
  startFakeHost,
} from './support/fake-host.js';
import { vectors } from './support/vectors.js';

const ref = vectors.hosted;
const accessToken = fakeJwt({ tenantId: ref.tenantId, sub: 'user:11eb660f-4fdf-02d0-8f28-0242ac110002' });

function hostedFake(req: Recorded): Reply {
  if (req.method === 'GET' && req.path === '/.well-known/openid-configuration')
    return { body: ref.discovery };
  if (req.method === 'POST' && req.path === '/auth/token') {
    return {
      body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: 'opaque-rt' },
    };
  }
  if (req.method === 'GET' && req.path === `/.well-known/cxone-configuration?tenantId=${ref.tenantId}`) {
    return { body: ref.tenantConfiguration };
  }
  if (req.path === '/inContactAPI/services/v25.0/server-time') return { body: ref.serverTime };
  return { status: 404, body: { error: 'not_found' } };
}

describe('requests against the hosted issuer, as the reference document shows them', () => {
  let auth: FakeHost;
  let api: FakeHost;
  let serverTime: unknown;
  beforeAll(async () => {
    auth = await startFakeHost(hostedFake);
    api = await startFakeHost(hostedFake);
    const client = createClient({
      issuer: 'cxone',
      clientId: ref.clientId,
      clientSecret: ref.clientSecret,
      accessKeyId: ref.accessKeyId,
      accessKeySecret: ref.accessKeySecret,
      fetch: rewritingFetch({ [ref.issuer]: auth.url, [ref.apiEndpoint]: api.url }),
    });
    expect(client.issuer).toBe('https://cxone.niceincontact.com');
    serverTime = await client.api('GET', '/inContactAPI/services/v25.0/server-time');
  });
  afterAll(async () => {
    await auth.close();
    await api.close();
  });

  it('runs the whole flow and ends with the server time', () => {
    expect(serverTime).toEqual({ ServerTime: '2021-07-21T13:38:15.3560573Z' });
    expect(auth.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'POST /auth/token',
      `GET /.well-known/cxone-configuration?tenantId=${ref.tenantId}`,
    ]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /inContactAPI/services/v25.0/server-time',
    ]);
  });

  it('step 3: discovery is a plain GET with no credentials and no body', () => {
    const [discovery] = auth.requests;
    expect(discovery?.headers.authorization).toBeUndefined();
    expect(discovery?.headers.accept).toBe('application/json');
    expect(discovery?.body).toBe('');
  });

  it('step 4: the token request has the reference content type, Basic client password and body', () => {
    const token = auth.requests[1]!;
    expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const password = vectors.clientPassword.find((v) => v.clientId === ref.clientId)!;
    expect(token.headers.authorization).toBe(`Basic ${password.expected}`);
    expect(Buffer.from(password.expected, 'base64').toString()).toBe(`${ref.clientId}:${ref.clientSecret}`);
    const body = vectors.passwordGrantBody.find((v) => v.accessKeyId === ref.accessKeyId)!;
    expect(token.body).toBe(body.expected);
    expect(token.headers['content-length']).toBe(String(Buffer.byteLength(body.expected)));
  });

  it('step 6: tenant discovery sends the tenantId read from the token, without credentials', () => {
    const tenant = auth.requests[2]!;
    expect(tenant.headers.authorization).toBeUndefined();
    expect(tenant.body).toBe('');
  });

  it('step 7: the API call carries the bearer token and asks for JSON', () => {
    const call = api.requests[0]!;
    expect(call.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(call.headers.accept).toBe('application/json');
    expect(call.body).toBe('');
  });
});
