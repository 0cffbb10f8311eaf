// The revocation feed (GET /auth/revocations): every ended session and deactivated subject becomes an
// event in the transaction of the change, pages follow positions, an old or foreign position answers
// a snapshot of what is still live, every page is a SET signed by the issuer's keys naming digests
// only, and the purge hook moves the start-over point. SQLite and PostgreSQL.
import { createHash } from 'node:crypto';
import { FEED_METADATA, type FeedPage, revocationDigest, verifyFeed } from '@cxauth/verify';
import { importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../src/admin/service/admin.js';
import { purgeRevocationEvents } from '../src/index.js';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';
import * as make from './support/storage-factories.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`revocation-feed.test.ts: skipping the PostgreSQL run: ${pgMissing}`);
const dialects = pgMissing ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('the revocation feed (%s)', (dialect) => {
  let svc: TestService;
  const keyOf = async (kid: string) => {
    const jwks = (await svc.app.inject({ url: '/auth/jwks' })).json() as { keys: { kid: string }[] };
    const jwk = jwks.keys.find((k) => k.kid === kid);
    if (!jwk) throw new Error('unknown kid');
    return { alg: 'RS256' as const, key: (await importJWK(jwk, 'RS256')) as CryptoKey };
  };
  async function raw(query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await svc.app.inject({ url: `/auth/revocations${query}` });
    return { status: res.statusCode, body: res.json() };
  }
  async function page(after?: number): Promise<FeedPage> {
    const { status, body } = await raw(after === undefined ? '' : `?after=${after}`);
    expect(status).toBe(200);
    const sets = Object.values(body['sets'] as Record<string, string>);
    expect(sets).toHaveLength(1);
    const verified = await verifyFeed(sets[0] as string, TEST_ISSUER, keyOf);
    expect(body['moreAvailable']).toBe(verified.more);
    return verified;
  }
  const sid = (id: string) => revocationDigest(TEST_ISSUER, 'sid', id);

  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  it('is advertised in discovery and starts with an empty snapshot', async () => {
    const doc = (await svc.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(doc[FEED_METADATA]).toBe(`${TEST_ISSUER}/auth/revocations`);
    const first = await page();
    expect(first).toMatchObject({ snapshot: true, position: 0, sessions: [], subjects: [], after: null });
    expect(first.maxTokenAge).toBe(svc.config.tokens.accessTokenTtl + svc.config.tokens.clockTolerance);
  });

  it('records each ended session and deactivated subject with a growing position', async () => {
    const { app, user, key, tenant } = svc.fixture;
    const sessions = [0, 1, 2].map(() => make.session(app, user, { accessKeyId: key.id }));
    for (const s of sessions) await svc.storage.sessions.create(s, make.refreshToken(s.id));
    const at = svc.clock.now();
    expect(await svc.storage.sessions.revoke(sessions[0]?.id as string, 'test', at)).toBe(true);
    // A second revocation of one session changes nothing, and records nothing.
    expect(await svc.storage.sessions.revoke(sessions[0]?.id as string, 'again', at)).toBe(false);
    const one = await page(0);
    expect(one).toMatchObject({ snapshot: false, after: 0, position: 1, more: false });
    expect(one.sessions).toEqual([[sid(sessions[0]?.id as string), Math.floor(at.getTime() / 1000)]]);

    const admin = createAdmin(svc.storage, svc.hasher, svc.clock.now);
    await admin.setAccessKeyStatus(key.id, 'inactive');
    const two = await page(1);
    expect(two.position).toBe(3);
    expect(new Set(two.sessions.map(([d]) => d))).toEqual(new Set(sessions.slice(1).map((s) => sid(s.id))));

    await admin.setUserStatus(user.id, 'inactive');
    await admin.setTenantStatus(tenant.id, 'inactive');
    await admin.setApplicationStatus(app.clientId, 'inactive');
    const three = await page(3);
    const subjects = three.subjects.map(([d]) => d);
    expect(subjects).toEqual(
      expect.arrayContaining([
        revocationDigest(TEST_ISSUER, 'sub', `user:${user.id}`),
        revocationDigest(TEST_ISSUER, 'tenant', tenant.id),
        revocationDigest(TEST_ISSUER, 'client', app.clientId),
        revocationDigest(TEST_ISSUER, 'sub', `app:${app.clientId}`),
      ]),
    );
    // Reactivation publishes nothing: tokens issued after it are newer than the event.
    await admin.setUserStatus(user.id, 'active');
    expect((await page(three.position)).sessions.length + (await page(three.position)).subjects.length).toBe(
      0,
    );
    expect((await page(three.position)).position).toBe(three.position);
  });

  it('names nothing in clear: no id of the database appears in a page', async () => {
    const body = JSON.stringify((await raw()).body);
    const payload = Buffer.from(
      (Object.values((await raw()).body['sets'] as object)[0] as string).split('.')[1] ?? '',
      'base64url',
    ).toString();
    for (const id of [
      svc.fixture.user.id,
      svc.fixture.tenant.id,
      svc.fixture.app.clientId,
      svc.fixture.key.id,
    ]) {
      expect(body).not.toContain(id);
      expect(payload).not.toContain(id);
    }
  });

  it('computes digests as documented: SHA-256 of issuer, kind and value, 128 bits in base64url', () => {
    const expected = createHash('sha256').update(`${TEST_ISSUER}\0sid\0abc`).digest().subarray(0, 16);
    expect(sid('abc')).toBe(expected.toString('base64url'));
    expect(sid('abc')).toHaveLength(22);
    expect(revocationDigest('https://other.example', 'sid', 'abc')).not.toBe(sid('abc'));
    expect(revocationDigest(TEST_ISSUER, 'sub', 'abc')).not.toBe(sid('abc'));
  });

  it('answers a position it never gave, or one older than the purge, with a snapshot of what is live', async () => {
    const head = (await page()).position;
    expect((await page(head + 1000)).snapshot).toBe(true);
    // Everything so far is older than `before`: purged, so after=0 must start over.
    svc.clock.advance(2 * 3600);
    const before = new Date(svc.clock.now().getTime() - 3600_000);
    expect(await purgeRevocationEvents(svc.storage, before)).toBe(head);
    const again = await page(0);
    expect(again).toMatchObject({ snapshot: true, position: head, sessions: [], subjects: [] });
    // A live revocation made now is in the next snapshot and in the page after the head.
    const s = make.session(svc.fixture.app, svc.fixture.user);
    await svc.storage.sessions.create(s, make.refreshToken(s.id));
    await svc.storage.sessions.revoke(s.id, 'now', svc.clock.now());
    expect((await page()).sessions.map(([d]) => d)).toEqual([sid(s.id)]);
    expect((await page(head)).sessions.map(([d]) => d)).toEqual([sid(s.id)]);
  });

  it('refuses a malformed position with invalid_request', async () => {
    for (const q of ['?after=-1', '?after=abc', '?after=1&after=2', '?after=01', '?after=1e3']) {
      const res = await raw(q);
      expect(res.status, q).toBe(400);
      expect(res.body['error'], q).toBe('invalid_request');
    }
  });
});
