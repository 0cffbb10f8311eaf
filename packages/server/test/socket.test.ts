// Every endpoint over a real TCP socket (fetch and raw HTTP): success and an error each, CORS
// preflight, chunked bodies past the cap, and many token requests at once.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, FORM, form } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

const ORIGIN = 'https://spa.example.com';
let svc: TestService;
let base: string;
beforeAll(async () => {
  svc = await startTestService({ application: { origins: [ORIGIN] } });
  base = await svc.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => svc?.close());

const grant = () =>
  form({ grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret });
const auth = () => basic(svc.fixture.clientId, svc.fixture.clientSecret);
const token = (body: string | ReadableStream, headers: Record<string, string> = {}) =>
  fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: auth(), ...headers },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);

/** Sends raw bytes and returns the whole response text. */
function raw(request: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (d) => {
      text += d;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('over a real socket', () => {
  it('serves the whole flow: discovery, token, refresh, userinfo, JWKS, tenant, health', async () => {
    expect((await fetch(`${base}/.well-known/openid-configuration`)).status).toBe(200);
    const res = await token(grant());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const tokens = await res.json();
    const refreshed = await token(form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
    expect(refreshed.status).toBe(200);
    const info = await fetch(`${base}/auth/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect((await info.json()).sub).toBe(`user:${svc.fixture.user.id}`);
    expect((await (await fetch(`${base}/auth/jwks`)).json()).keys).toHaveLength(1);
    const tenant = await fetch(`${base}/.well-known/cxone-configuration?tenantId=${svc.fixture.tenant.id}`);
    expect((await tenant.json()).tenantId).toBe(svc.fixture.tenant.id);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('answers the errors as JSON', async () => {
    const bad = await token(grant(), { authorization: basic(svc.fixture.clientId, 'wrong') });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
    const noToken = await fetch(`${base}/auth/userinfo`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer realm="cxauth"');
    expect((await fetch(`${base}/.well-known/cxone-configuration?tenantId=x`)).status).toBe(400);
    const get = await fetch(`${base}/auth/token`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers a CORS preflight and adds CORS to the real response', async () => {
    const preflight = await fetch(`${base}/auth/token`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const res = await token(grant(), { origin: ORIGIN });
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('caps a chunked body without Content-Length: 413 invalid_request', async () => {
    const chunk = new TextEncoder().encode('a'.repeat(4096));
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent++ < 16) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await token(stream);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('invalid_request');
  });

  it('answers a malformed raw request with 400 and no internals', async () => {
    const text = await raw(
      'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 5\r\nConnection: close\r\n\r\n%E0%A',
    );
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toContain('"error":"invalid_request"');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('serves fifty token requests at once', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => token(grant())));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(results.map((r) => r.json()));
    expect(new Set(bodies.map((b) => b.refresh_token)).size).toBe(50);
  });
});
