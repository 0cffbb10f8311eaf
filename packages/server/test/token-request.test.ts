// One token request reads the storage revision once: with the throttle counters (one statement), or,
// for a browser request whose CORS hook read it first, in that hook alone; and the record it read
// is current either way (a change made since the last request is seen at once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../src/storage/contract/index.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

const ORIGIN = 'https://app.example.com';

/** Each read of the revision: alone, or with the throttle counters. */
const reads: string[] = [];

function bound<T extends object>(target: T, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop);
  return typeof value === 'function' ? value.bind(target) : value;
}

/** The storage with its revision reads counted. */
function counted(storage: Storage): Storage {
  const throttle = new Proxy(storage.throttle, {
    get(target, prop) {
      if (prop !== 'readWithRevision') return bound(target, prop);
      return (keys: readonly string[]) => {
        reads.push('with counters');
        return target.readWithRevision(keys);
      };
    },
  });
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'throttle') return throttle;
      if (prop !== 'revision') return bound(target, prop);
      return () => {
        reads.push('alone');
        return target.revision();
      };
    },
  });
}

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ application: { origins: [ORIGIN] }, wrapStorage: counted });
});
afterAll(async () => svc?.close());

const password = () => ({
  grant_type: 'password',
  username: svc.fixture.accessKeyId,
  password: svc.fixture.accessKeySecret,
});
const client = () => ({ authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) });

describe('one token request', () => {
  it('reads the revision once, with the throttle counters', async () => {
    reads.length = 0;
    const res = await tokenRequest(svc.app, password(), client());
    expect(res.statusCode).toBe(200);
    expect(reads).toEqual(['with counters']);
  });

  it('from a browser, reads it once in the CORS hook, and the throttle reads its counters alone', async () => {
    reads.length = 0;
    const res = await tokenRequest(svc.app, password(), { ...client(), origin: ORIGIN });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(reads).toEqual(['alone']);
  });

  it('from a browser, still sees a change made since the last request', async () => {
    expect((await tokenRequest(svc.app, password(), { ...client(), origin: ORIGIN })).statusCode).toBe(200);
    await svc.storage.accessKeys.setStatus(svc.fixture.key.id, 'inactive', svc.clock.now());
    const res = await tokenRequest(svc.app, password(), { ...client(), origin: ORIGIN });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_grant' });
    await svc.storage.accessKeys.setStatus(svc.fixture.key.id, 'active', svc.clock.now());
  });

  it('from a browser, a malformed Basic header is still invalid_client, and a wrong secret still counts', async () => {
    const bad = await tokenRequest(svc.app, password(), { authorization: 'Basic %%%', origin: ORIGIN });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: 'invalid_client' });
    const wrong = { authorization: basic(svc.fixture.clientId, 'not-the-secret'), origin: ORIGIN };
    for (let i = 0; i < 5; i++) expect((await tokenRequest(svc.app, password(), wrong)).statusCode).toBe(401);
    const throttled = await tokenRequest(svc.app, password(), { ...client(), origin: ORIGIN });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBeDefined();
  });
});
