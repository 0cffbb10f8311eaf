// Unknown paths, wrong methods, malformed input and unexpected failures: JSON errors, never a stack
// trace or an internal detail; logs without credentials.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../src/storage/contract/index.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.close());

/** The service over a storage whose `name` part fails like a broken database. */
function brokenStorage(storage: Storage, part: keyof Storage, message: string): Storage {
  const failing = new Proxy({}, { get: () => () => Promise.reject(new Error(message)) });
  return new Proxy(storage, {
    get: (target, key) => (key === part ? failing : Reflect.get(target, key)),
  });
}

function logSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

describe('errors', () => {
  it('answers an unknown path with 404 JSON', async () => {
    for (const url of ['/nope', '/auth/authorize/extra', '/auth/token/extra', '/.well-known/']) {
      const res = await svc.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found', error_description: 'no such endpoint' });
    }
  });

  it('answers a path with a malformed percent-escape with 400 invalid_request JSON, never echoing it', async () => {
    for (const url of ['/%zz', '/auth/token%E0%A4%A', '/auth/%C0secret-in-path']) {
      const res = await svc.app.inject({ method: 'POST', url });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'malformed request' });
    }
  });

  it.each([
    ['DELETE', '/auth/jwks', 'GET, OPTIONS, HEAD'],
    ['PATCH', '/auth/userinfo', 'GET, POST, OPTIONS, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/.well-known/cxone-configuration?tenantId=x', 'GET, OPTIONS, HEAD'],
  ])('answers %s %s with 405 and Allow', async (method, url, allow) => {
    const res = await svc.app.inject({ method: method as 'GET', url });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe(allow);
    expect(res.json().error).toBe('method_not_allowed');
  });

  it('turns an unexpected failure into a bare 500 server_error, logged without secrets', async () => {
    const sink = logSink();
    const { app } = await svc.secondNode({
      wrapStorage: (storage) => brokenStorage(storage, 'applications', 'db exploded at /var/lib/secret-path'),
      logger: { stream: sink.stream },
    });
    const authorization = basic(svc.fixture.clientId, svc.fixture.clientSecret);
    const res = await tokenRequest(
      app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      { authorization },
    );
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'server_error', error_description: 'internal server error' });
    expect(res.body).not.toContain('exploded');
    const log = sink.text();
    expect(log).toContain('db exploded');
    expect(log).toContain('"status":500');
    for (const secret of [
      authorization.slice(6),
      svc.fixture.clientSecret,
      svc.fixture.accessKeySecret,
      encodeURIComponent(svc.fixture.accessKeySecret),
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('logs one line per request, with the path but not the query', async () => {
    const sink = logSink();
    const { app } = await svc.secondNode({ logger: { stream: sink.stream } });
    await app.inject({
      method: 'GET',
      url: '/auth/userinfo?access_token=leaky',
      headers: { authorization: 'Bearer x.y.z' },
    });
    const lines = sink
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'GET', path: '/auth/userinfo', status: 401 });
    // Successful discovery, JWKS and probe reads are routine (debug); their failures are not.
    for (const url of ['/.well-known/openid-configuration', '/auth/jwks', '/healthz', '/readyz']) {
      await app.inject({ method: 'GET', url });
    }
    await app.inject({ method: 'POST', url: '/auth/jwks' });
    const after = sink
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(after.map((l) => `${l.path} ${l.status}`)).toEqual(['/auth/userinfo 401', '/auth/jwks 405']);
    expect(sink.text()).not.toContain('leaky');
    expect(sink.text()).not.toContain('x.y.z');
  });
});

describe('health', () => {
  it('answers liveness and readiness', async () => {
    for (const url of ['/healthz', '/readyz']) {
      const res = await svc.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    }
  });

  it('is not ready when the database is unreachable: 503, while still alive', async () => {
    const down = (storage: Storage) =>
      new Proxy(storage, {
        get: (target, key) =>
          key === 'ping' ? () => Promise.reject(new Error('connection refused')) : Reflect.get(target, key),
      });
    const { app } = await svc.secondNode({ wrapStorage: down });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error).toBe('temporarily_unavailable');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
