// The refresh grace period (CXAUTH_REFRESH_REUSE_GRACE_SECONDS): off, the retry of a used refresh token
// is reuse and ends the session; on, the first retry within the window gets a fresh pair for the same
// session, later ones are refused without ending it, and after the window a retry is reuse again.
// Concurrent presentations give exactly one rotation and one grace answer, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`refresh grace on PostgreSQL skipped: ${pgReason}`);

const auth = (s: TestService) => ({ authorization: basic(s.fixture.clientId, s.fixture.clientSecret) });

async function login(s: TestService): Promise<string> {
  const res = await tokenRequest(
    s.app,
    { grant_type: 'password', username: s.fixture.accessKeyId, password: s.fixture.accessKeySecret },
    auth(s),
  );
  expect(res.statusCode).toBe(200);
  return res.json().refresh_token;
}

const refresh = (s: TestService, token: string) =>
  tokenRequest(s.app, { grant_type: 'refresh_token', refresh_token: token }, auth(s));

async function expectRefused(s: TestService, token: string): Promise<void> {
  const res = await refresh(s, token);
  expect(res.statusCode).toBe(400);
  expect(res.json().error).toBe('invalid_grant');
}

const GRACE = { CXAUTH_REFRESH_REUSE_GRACE_SECONDS: '10' };

describe('refresh grace period off (the default)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.close());

  it('counts the immediate retry of a used token as reuse and ends the session', async () => {
    expect(svc.config.tokens.refreshReuseGrace).toBe(0);
    const first = await login(svc);
    const lost = await refresh(svc, first);
    expect(lost.statusCode).toBe(200);
    await expectRefused(svc, first);
    await expectRefused(svc, lost.json().refresh_token);
  });
});

describe('refresh grace period on', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: GRACE });
  });
  afterAll(async () => svc?.close());

  it('answers the first retry within the window with a fresh pair of the same session', async () => {
    const first = await login(svc);
    const lost = (await refresh(svc, first)).json();
    svc.clock.advance(3);
    const retry = await refresh(svc, first);
    expect(retry.statusCode).toBe(200);
    const pair = retry.json();
    expect(pair.refresh_token).not.toBe(lost.refresh_token);
    expect(claimsOf(pair.access_token)['sid']).toBe(claimsOf(lost.access_token)['sid']);
    // The token of the lost answer is spent, without ending the session…
    await expectRefused(svc, lost.refresh_token);
    // …and the session goes on with the retry's token.
    const next = await refresh(svc, pair.refresh_token);
    expect(next.statusCode).toBe(200);
    expect(claimsOf(next.json().access_token)['sid']).toBe(claimsOf(lost.access_token)['sid']);
  });

  it('answers only once: a second retry within the window is refused and the session stays', async () => {
    const first = await login(svc);
    await refresh(svc, first);
    const retry = await refresh(svc, first);
    expect(retry.statusCode).toBe(200);
    await expectRefused(svc, first);
    expect((await refresh(svc, retry.json().refresh_token)).statusCode).toBe(200);
  });

  it('counts a retry after the window as reuse and ends the session', async () => {
    const first = await login(svc);
    const current = (await refresh(svc, first)).json().refresh_token;
    svc.clock.advance(11);
    await expectRefused(svc, first);
    await expectRefused(svc, current);
  });

  it('never revives a revoked session', async () => {
    const first = await login(svc);
    const current = (await refresh(svc, first)).json().refresh_token;
    const found = await svc.storage.sessions.findRefreshToken(svc.hasher.hash(current));
    await svc.storage.sessions.revoke(found?.session.id as string, 'test', svc.clock.now());
    await expectRefused(svc, first);
  });
});

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('fifty concurrent refreshes of one token with the grace period on (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  beforeAll(async () => {
    // 48 losers from one address would be throttled (throttling.test.ts): this test counts outcomes.
    if (!skip) svc = await startTestService({ dialect, env: { ...GRACE, CXAUTH_THROTTLE: 'off' } });
  });
  afterAll(async () => svc?.close());

  it.skipIf(skip)('give one rotation and one grace answer; the last token issued carries on', async () => {
    const token = await login(svc);
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(svc, token)));
    const ok = results.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(2);
    for (const r of results.filter((x) => x.statusCode !== 200)) {
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toBe('invalid_grant');
    }
    // The grace answer spent the rotation's token: exactly one of the two refresh tokens is valid.
    const outcomes = [];
    for (const r of ok) outcomes.push((await refresh(svc, r.json().refresh_token)).statusCode);
    expect(outcomes.sort()).toEqual([200, 400]);
  });
});
