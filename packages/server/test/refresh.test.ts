// grant_type=refresh_token: rotation, replay detection revoking the session, narrowing scope,
// deactivation ending sessions, binding to the client, and a 50-way race on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const auth = (s: TestService) => ({ authorization: basic(s.fixture.clientId, s.fixture.clientSecret) });

async function login(
  s: TestService,
  scope?: string,
  key = { id: s.fixture.accessKeyId, secret: s.fixture.accessKeySecret },
) {
  const params: Record<string, string> = { grant_type: 'password', username: key.id, password: key.secret };
  if (scope) params['scope'] = scope;
  const res = await tokenRequest(s.app, params, auth(s));
  expect(res.statusCode).toBe(200);
  return res.json() as { refresh_token: string; access_token: string; id_token?: string; scope: string };
}

const refresh = (s: TestService, token: string, extra: Record<string, string> = {}, headers = auth(s)) =>
  tokenRequest(s.app, { grant_type: 'refresh_token', refresh_token: token, ...extra }, headers);

describe('refresh_token grant', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.close());

  it('rotates on every use and keeps auth_time of the session', async () => {
    const first = await login(svc);
    const authTime = claimsOf(first.id_token as string)['auth_time'];
    svc.clock.advance(600);
    const res = await refresh(svc, first.refresh_token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const second = res.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe('openid');
    expect(claimsOf(second.access_token)['iat']).toBe(svc.clock.epoch);
    expect(claimsOf(second.id_token)['auth_time']).toBe(authTime);
    const third = await refresh(svc, second.refresh_token);
    expect(third.statusCode).toBe(200);
  });

  it('revokes the whole session when a rotated token is used again', async () => {
    const first = await login(svc);
    const second = (await refresh(svc, first.refresh_token)).json();
    const replay = await refresh(svc, first.refresh_token);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');
    // The thief's replay also ends the legitimate holder's newer token.
    const after = await refresh(svc, second.refresh_token);
    expect(after.statusCode).toBe(400);
    expect(after.json().error).toBe('invalid_grant');
  });

  it('narrows the access token scope, never widens it', async () => {
    const granted = await login(svc, 'openid profile');
    const widen = await refresh(svc, granted.refresh_token, { scope: 'openid email' });
    expect(widen.statusCode).toBe(400);
    expect(widen.json().error).toBe('invalid_scope');
    // A refused scope does not spend the token.
    const narrow = await refresh(svc, granted.refresh_token, { scope: 'openid' });
    expect(narrow.statusCode).toBe(200);
    expect(narrow.json().scope).toBe('openid');
    expect(claimsOf(narrow.json().access_token)['scope']).toBe('openid');
  });

  it('keeps the scope of the refresh token when an access token is narrowed (RFC 6749 §6)', async () => {
    const wide = await login(svc, 'openid profile email');
    const narrow = await refresh(svc, wide.refresh_token, { scope: 'openid profile' });
    expect(narrow.statusCode).toBe(200);
    expect(narrow.json().scope).toBe('openid profile');
    // "the refresh token scope MUST be identical to that of the refresh token included by the client"
    const other = await refresh(svc, narrow.json().refresh_token, { scope: 'openid email' });
    expect(other.statusCode).toBe(200);
    expect(other.json().scope).toBe('openid email');
    const full = await refresh(svc, other.json().refresh_token);
    expect(full.statusCode).toBe(200);
    expect(full.json().scope).toBe('openid profile email');
  });

  it('refuses an unknown or malformed refresh token: invalid_grant', async () => {
    for (const token of ['nope', 'A'.repeat(43), '%%%']) {
      const res = await refresh(svc, token);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_grant');
    }
  });

  it('requires refresh_token: invalid_request', async () => {
    const res = await tokenRequest(svc.app, { grant_type: 'refresh_token' }, auth(svc));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token is required' });
  });

  it('binds the token to its client', async () => {
    const token = (await login(svc)).refresh_token;
    const other = await svc.addApplication();
    const res = await refresh(svc, token, {}, { authorization: basic(other.clientId, other.clientSecret) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
    expect((await refresh(svc, token)).statusCode).toBe(200);
  });

  it('expires with the refresh token lifetime', async () => {
    const token = (await login(svc)).refresh_token;
    svc.clock.advance(svc.config.tokens.refreshTokenTtl + 1);
    const res = await refresh(svc, token);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
  });

  it.each(['key', 'user'])('a deactivated %s ends its sessions', async (which) => {
    const user = await svc.addUser(svc.fixture.tenant);
    const key = await svc.addAccessKey(user);
    const token = (await login(svc, undefined, key)).refresh_token;
    const at = svc.clock.now();
    if (which === 'key') await svc.storage.accessKeys.setStatus(key.id, 'inactive', at);
    else await svc.storage.users.setStatus(user.id, 'inactive', at);
    // At once: the cached lookup is older than the revision the change wrote (no clock advance).
    const res = await refresh(svc, token);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
    const found = await svc.storage.sessions.findRefreshToken(svc.hasher.hash(token));
    expect(found?.session.revokedAt).not.toBeNull();
    // Reactivation does not bring the ended session back.
    if (which === 'key') await svc.storage.accessKeys.setStatus(key.id, 'active', at);
    else await svc.storage.users.setStatus(user.id, 'active', at);
    expect((await refresh(svc, token)).statusCode).toBe(400);
  });

  it('refuses a client that may not refresh: unauthorized_client', async () => {
    const noRefresh = await svc.addApplication({ grantTypes: ['password'] });
    const res = await refresh(
      svc,
      'whatever',
      {},
      { authorization: basic(noRefresh.clientId, noRefresh.clientSecret) },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
  });
});

const pgReason = await pgUnavailable();
if (pgReason) console.log(`refresh race on PostgreSQL skipped: ${pgReason}`);

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('fifty concurrent refreshes of one token (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  beforeAll(async () => {
    // 49 losers from one address would be throttled (throttling.test.ts): this test counts outcomes.
    if (!skip) svc = await startTestService({ dialect, env: { CXAUTH_THROTTLE: 'off' } });
  });
  afterAll(async () => svc?.close());

  it.skipIf(skip)('produce exactly one success', async () => {
    const token = (await login(svc)).refresh_token;
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(svc, token)));
    const ok = results.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.statusCode !== 200)) {
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toBe('invalid_grant');
    }
  });
});
