// Throttling at the token endpoint (docs/operations.md "Throttling"): repeated failures get 429 with
// Retry-After and a JSON error, on every grant, with counters shared by two nodes on one PostgreSQL
// database, ending once Retry-After has passed (the clock is injected: nothing sleeps).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANTS } from '../src/grants/index.js';
import type { Storage } from '../src/storage/contract/index.js';
import { throttleKeys } from '../src/throttling/throttle.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`throttling on PostgreSQL skipped: ${pgReason}`);

const password = (s: TestService, secret: string, app: FastifyInstance = s.app) =>
  tokenRequest(
    app,
    { grant_type: 'password', username: s.fixture.accessKeyId, password: secret },
    { authorization: basic(s.fixture.clientId, s.fixture.clientSecret) },
  );

function expectThrottled(res: LightMyRequestResponse): number {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
  expect(res.headers['cache-control']).toBe('no-store');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  return retryAfter;
}

describe('throttling one access key (SQLite)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.close());

  it('delays after five failures, refuses even the right secret meanwhile, and ends after Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await password(svc, 'wrong')).statusCode).toBe(400);
    const retryAfter = expectThrottled(await password(svc, svc.fixture.accessKeySecret));
    expect(retryAfter).toBe(1);
    svc.clock.advance(retryAfter);
    // One more failure doubles the delay (exponential, never a lockout).
    expect((await password(svc, 'wrong')).statusCode).toBe(400);
    expect(expectThrottled(await password(svc, 'wrong'))).toBe(2);
    svc.clock.advance(2);
    expect((await password(svc, svc.fixture.accessKeySecret)).statusCode).toBe(200);
    // The success forgot this key's failures from this address: the next failure is not delayed.
    expect((await password(svc, 'wrong')).statusCode).toBe(400);
    expect((await password(svc, svc.fixture.accessKeySecret)).statusCode).toBe(200);
  });

  it('writes nothing for a success: every counter it reads is left as it was', async () => {
    svc.clock.advance(3600 * 2);
    const other = await svc.addAccessKey(svc.fixture.user);
    const keys = throttleKeys({
      identifiers: [
        { kind: 'client', value: svc.fixture.clientId },
        { kind: 'access_key', value: other.id },
      ],
      address: '127.0.0.1',
    }).map((k) => k.key);
    const before = await svc.storage.throttle.read(keys);
    const ok = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: other.id, password: other.secret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    expect(ok.statusCode).toBe(200);
    expect(await svc.storage.throttle.read(keys)).toEqual(before);
  });
});

describe('throttling every grant', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.close());

  it('every grant of the table names its throttle identifiers', () => {
    for (const grant of Object.values(GRANTS)) {
      expect(typeof (grant as { throttleKeys?: unknown }).throttleKeys, grant.grantType).toBe('function');
    }
  });

  it('a client with too many failed authentications is refused on every grant, refresh included', async () => {
    const wrong = { authorization: basic(svc.fixture.clientId, 'not-the-secret') };
    for (let i = 0; i < 5; i++) {
      expect(
        (await tokenRequest(svc.app, { grant_type: 'refresh_token', refresh_token: 'x' }, wrong)).statusCode,
      ).toBe(401);
    }
    const right = { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) };
    for (const grant of Object.values(GRANTS)) {
      const res = await tokenRequest(svc.app, { grant_type: grant.grantType }, right);
      expect(res.statusCode, grant.grantType).toBe(429);
    }
  });

  it('a client throttled at the token endpoint is refused at revocation and introspection too', async () => {
    svc.clock.advance(3600 * 2);
    const form = (url: string, authorization: string) =>
      svc.app.inject({
        method: 'POST',
        url,
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'token=whatever',
      });
    const wrong = basic(svc.fixture.clientId, 'not-the-secret');
    // Failures counted at revocation and introspection add up with the token endpoint's.
    for (const url of [
      '/auth/revoke',
      '/auth/introspect',
      '/auth/revoke',
      '/auth/introspect',
      '/auth/revoke',
    ]) {
      expect((await form(url, wrong)).statusCode, url).toBe(401);
    }
    const right = basic(svc.fixture.clientId, svc.fixture.clientSecret);
    expectThrottled(await form('/auth/introspect', right));
    expectThrottled(await form('/auth/revoke', right));
    expectThrottled(
      await tokenRequest(svc.app, { grant_type: 'client_credentials' }, { authorization: right }),
    );
    // Audited as at the token endpoint (events are stored in batches within about a second).
    await expect
      .poll(
        async () =>
          (await svc.storage.auditEvents.list({ type: 'client.authentication_failed' })).filter(
            (e) => e.details?.['endpoint'] === '/auth/introspect',
          ).length,
        { timeout: 5000 },
      )
      .toBe(2);
  });

  it('unknown refresh tokens and codes count nothing: they are random, not guesses', async () => {
    svc.clock.advance(3600 * 2);
    const right = { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) };
    for (let i = 0; i < 30; i++) {
      const res = await tokenRequest(
        svc.app,
        i % 2 === 0
          ? { grant_type: 'refresh_token', refresh_token: `guess-${i}` }
          : { grant_type: 'authorization_code', code: `guess-${i}`, redirect_uri: 'https://app.example/cb' },
        right,
      );
      expect(res.statusCode).toBe(400);
    }
    const ok = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      right,
    );
    expect(ok.statusCode).toBe(200);
  });

  it('malformed client credentials count against no one, not even the access key the body names', async () => {
    svc.clock.advance(3600 * 2);
    for (let i = 0; i < 30; i++) {
      const res = await tokenRequest(
        svc.app,
        { grant_type: 'password', username: svc.fixture.accessKeyId, password: 'x', client_secret: 'y' },
        { authorization: i % 2 === 0 ? 'Basic %%%' : basic(svc.fixture.clientId, svc.fixture.clientSecret) },
      );
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(429);
    }
    const ok = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    expect(ok.statusCode).toBe(200);
  });
});

describe.skipIf(pgReason !== undefined)('throttling across two nodes on one PostgreSQL database', () => {
  let svc: TestService;
  let second: { app: FastifyInstance; storage: Storage };
  beforeAll(async () => {
    svc = await startTestService({ dialect: 'postgres' });
    second = await svc.secondNode();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('shares the counter: failures on both nodes add up, and either node answers 429 until Retry-After', async () => {
    const nodes = [svc.app, second.app];
    // Concurrent failures on both nodes: the atomic upsert counts every one of them.
    const failures = await Promise.all([0, 1, 2, 3, 4].map((i) => password(svc, 'wrong', nodes[i % 2])));
    expect(failures.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400]);
    const a = expectThrottled(await password(svc, svc.fixture.accessKeySecret, svc.app));
    const b = expectThrottled(await password(svc, svc.fixture.accessKeySecret, second.app));
    expect(Math.max(a, b)).toBeLessThanOrEqual(1);
    svc.clock.advance(1);
    expect((await password(svc, svc.fixture.accessKeySecret, second.app)).statusCode).toBe(200);
    expect((await password(svc, svc.fixture.accessKeySecret, svc.app)).statusCode).toBe(200);
  });
});
