// The shared strict-HTTP pieces on their own: the client timeouts every cxauth server starts with, and the
// refusals made before a request's body is read (the servers' own tests send them over sockets).
import { describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUT_DEFAULTS, strictRefusal, timeoutOptions } from '../src/index.js';

describe('timeoutOptions', () => {
  it("takes the defaults of cxauth serve for what is left out, and checks Node's timers often enough", () => {
    expect(CLIENT_TIMEOUT_DEFAULTS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      keepAliveTimeoutMs: 72_000,
    });
    expect(timeoutOptions()).toEqual({
      http: { headersTimeout: 10_000, connectionsCheckingInterval: 1000 },
      requestTimeout: 15_000,
      keepAliveTimeout: 72_000,
    });
    // A short header timeout is checked at a quarter of it, so its 408 comes on time.
    expect(timeoutOptions({ headersTimeoutMs: 400, requestTimeoutMs: 800 }).http).toEqual({
      headersTimeout: 400,
      connectionsCheckingInterval: 100,
    });
  });

  it('refuses headers allowed longer than the whole request, and a timeout that is not positive', () => {
    expect(() => timeoutOptions({ headersTimeoutMs: 20_000 })).toThrow(TypeError);
    expect(() => timeoutOptions({ headersTimeoutMs: 0 })).toThrow(TypeError);
  });
});

describe('strictRefusal', () => {
  it('lets one Authorization and one Content-Type through, with no coding or identity', () => {
    const raw = ['Authorization', 'Bearer a', 'Content-Type', 'application/json', 'Accept', '*/*'];
    expect(strictRefusal(raw, undefined)).toBeUndefined();
    expect(strictRefusal(raw, ' Identity ')).toBeUndefined();
  });

  it('refuses a second Authorization in any case (a good token then a bad one must not pass)', () => {
    const refusal = strictRefusal(['authorization', 'Bearer good', 'AUTHORIZATION', 'Bearer bad'], undefined);
    expect(refusal).toMatchObject({ status: 400, description: 'send exactly one Authorization header' });
  });

  it('refuses a second Content-Type, and a content coding with Accept-Encoding: identity', () => {
    expect(strictRefusal(['Content-Type', 'a/b', 'content-type', 'c/d'], undefined)?.status).toBe(400);
    expect(strictRefusal([], 'gzip')).toEqual({
      status: 415,
      description: 'send the body without a Content-Encoding',
      headers: { 'Accept-Encoding': 'identity' },
    });
  });
});
