// Following the revocation feed: revoked sessions and subjects are refused (cached or not) within a
// poll while other tokens pass, positions are followed, a snapshot starts over, tampered, unsigned or
// mistyped feeds change nothing, the state survives a restart on disk, and memory is bounded.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createVerifier,
  FEED_EVENT,
  fileStore,
  RevocationSet,
  revocationDigest,
  TokenError,
  type Verifier,
} from '../src/index.js';
import {
  AUDIENCE,
  accessClaims,
  appClaims,
  type FakeIssuer,
  mint,
  newKey,
  signRaw,
  startIssuer,
  type TestKey,
} from './support/issuer.js';

let issuer: FakeIssuer;
let now: number;
const verifiers: Verifier[] = [];
const dirs: string[] = [];

beforeEach(async () => {
  issuer = await startIssuer();
  now = Math.floor(Date.now() / 1000) * 1000;
});
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()));
  await issuer.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Page {
  snapshot?: boolean;
  after?: number;
  position: number;
  more?: boolean;
  sessions?: [string, number][];
  subjects?: [string, number][];
  maxTokenAge?: number;
}

async function signPage(p: Page, o: { key?: TestKey; header?: object; iss?: string } = {}): Promise<string> {
  const claims = {
    iss: o.iss ?? issuer.url,
    iat: Math.floor(now / 1000),
    jti: `${Math.random()}`,
    events: {
      [FEED_EVENT]: {
        snapshot: p.snapshot ?? false,
        ...(p.after === undefined ? {} : { after: p.after }),
        position: p.position,
        more: p.more ?? false,
        max_token_age: p.maxTokenAge ?? 3630,
        sessions_revoked: p.sessions ?? [],
        subjects_disabled: p.subjects ?? [],
      },
    },
  };
  const key = o.key ?? issuer.key;
  return signRaw(key, { alg: 'RS256', typ: 'secevent+jwt', kid: key.kid, ...o.header }, claims);
}
const body = (jws: string) => ({ sets: { one: jws }, moreAvailable: false });

/** A feed that answers each `after` (null: no position) from a table of signed pages. */
function serve(pages: Map<string | null, string>, asked: (string | null)[] = []): void {
  issuer.feed = (after) => {
    asked.push(after);
    const jws = pages.get(after) ?? pages.get('*');
    if (!jws) throw new Error('no page');
    return body(jws);
  };
}

const sid = (value: string) => revocationDigest(issuer.url, 'sid', value);
const sub = (value: string) => revocationDigest(issuer.url, 'sub', value);
const secs = () => Math.floor(now / 1000);

function follow(extra: Partial<Parameters<typeof createVerifier>[0]> = {}): Verifier {
  const v = createVerifier({
    issuer: issuer.url,
    audience: AUDIENCE,
    clock: () => now,
    revocation: { pollIntervalMs: 20 },
    ...extra,
  });
  verifiers.push(v);
  return v;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const tokenOf = (claims: Record<string, unknown>) =>
  mint(issuer.key, { ...accessClaims(issuer.url, secs()), ...claims });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof TokenError ? e.code : 'other'),
  );

describe('revocation feed', () => {
  it('refuses a revoked session within a poll, cached or not, and keeps serving the others', async () => {
    const asked: (string | null)[] = [];
    const pages = new Map<string | null, string>([
      [null, await signPage({ snapshot: true, position: 0 })],
      ['0', await signPage({ after: 0, position: 0 })],
    ]);
    serve(pages, asked);
    const verifier = follow();
    await verifier.ready();
    const [a, b] = [await tokenOf({ sid: 'session-a' }), await tokenOf({ sid: 'session-b' })];
    await verifier.verify(a);
    await verifier.verify(b);
    expect(verifier.cachedAuthorization(`Bearer ${a}`)).toBeDefined();

    pages.set('0', await signPage({ after: 0, position: 1, sessions: [[sid('session-a'), secs() - 600]] }));
    pages.set('1', await signPage({ after: 1, position: 1 }));
    await waitFor(() => verifier.cachedAuthorization(`Bearer ${a}`) === undefined);
    const refused = await verifier.verify(a).catch((e: unknown) => e as TokenError);
    expect(refused).toMatchObject({ code: 'token_revoked', status: 401, error: 'invalid_token' });
    expect(verifier.cachedAuthorization(`Bearer ${b}`)).toBeDefined();
    expect(await codeOf(verifier.verify(b))).toBe('accepted');
    await waitFor(() => asked.includes('1'));
    expect(asked.slice(0, 2)).toEqual([null, '0']);
    expect(verifier.revocationStatus()).toMatchObject({ position: 1, entries: 1, lastError: undefined });
    expect(verifier.revocationStatus()?.lagMs).toBeLessThan(1_000);
  });

  it('refuses one application token revoked by its jti (a session entry) and keeps its others', async () => {
    const pages = new Map<string | null, string>([
      [null, await signPage({ snapshot: true, position: 0 })],
      ['0', await signPage({ after: 0, position: 0 })],
    ]);
    serve(pages);
    const verifier = follow();
    await verifier.ready();
    const appToken = (jti: string) => mint(issuer.key, { ...appClaims(issuer.url, secs()), jti });
    const [revoked, kept] = [await appToken('jti-1'), await appToken('jti-2')];
    expect(await codeOf(verifier.verify(revoked))).toBe('accepted');
    // Published with the sessions: refused whatever its iat.
    const jti = revocationDigest(issuer.url, 'jti', 'jti-1');
    pages.set('0', await signPage({ after: 0, position: 1, sessions: [[jti, secs() - 600]] }));
    pages.set('1', await signPage({ after: 1, position: 1 }));
    await waitFor(async () => (await codeOf(verifier.verify(revoked))) === 'token_revoked');
    expect(await codeOf(verifier.verify(kept))).toBe('accepted');
  });

  it('refuses tokens of a disabled subject issued at or before it, and accepts later ones', async () => {
    serve(
      new Map([
        [
          '*',
          await signPage({
            snapshot: true,
            position: 3,
            subjects: [
              [sub('user:u1'), secs()],
              [revocationDigest(issuer.url, 'tenant', 't1'), secs()],
              [revocationDigest(issuer.url, 'client', 'c1'), secs()],
            ],
          }),
        ],
      ]),
    );
    const verifier = follow();
    await verifier.ready();
    const at = secs();
    expect(await codeOf(verifier.verify(await tokenOf({ sub: 'user:u1', iat: at - 60 })))).toBe(
      'token_revoked',
    );
    expect(await codeOf(verifier.verify(await tokenOf({ sub: 'user:u1', iat: at })))).toBe('token_revoked');
    expect(await codeOf(verifier.verify(await tokenOf({ sub: 'user:u1', iat: at + 1 })))).toBe('accepted');
    expect(await codeOf(verifier.verify(await tokenOf({ tenantId: 't1', iat: at - 1 })))).toBe(
      'token_revoked',
    );
    expect(await codeOf(verifier.verify(await tokenOf({ client_id: 'c1', iat: at - 1 })))).toBe(
      'token_revoked',
    );
    expect(await codeOf(verifier.verify(await tokenOf({ sub: 'user:u2' })))).toBe('accepted');
  });

  it('keeps looking for the feed at the poll interval while discovery fails', async () => {
    serve(new Map([['*', await signPage({ snapshot: true, position: 2, sessions: [[sid('a'), secs()]] })]]));
    issuer.discoveryIssuer = 'https://not-this-issuer.example';
    const verifier = follow();
    await verifier.ready().catch(() => undefined);
    expect(verifier.revocationStatus()?.lastError).toBeDefined();
    issuer.discoveryIssuer = undefined;
    now += 2_000; // past the key set's retry interval, which runs on the injected clock
    await waitFor(() => verifier.revocationStatus()?.position === 2);
    expect(await codeOf(verifier.verify(await tokenOf({ sid: 'a' })))).toBe('token_revoked');
  });

  it('starts over from a snapshot, which replaces what it knew', async () => {
    const pages = new Map<string | null, string>([
      [null, await signPage({ snapshot: true, position: 5, sessions: [[sid('a'), secs()]] })],
    ]);
    serve(pages);
    const verifier = follow();
    await verifier.ready();
    const [a, b] = [await tokenOf({ sid: 'a' }), await tokenOf({ sid: 'b' })];
    expect(await codeOf(verifier.verify(a))).toBe('token_revoked');
    pages.set('5', await signPage({ snapshot: true, position: 9, sessions: [[sid('b'), secs()]] }));
    pages.set('9', await signPage({ after: 9, position: 9 }));
    await waitFor(() => verifier.revocationStatus()?.position === 9);
    expect(await codeOf(verifier.verify(a))).toBe('accepted');
    expect(await codeOf(verifier.verify(b))).toBe('token_revoked');
  });

  it('refuses tampered, unsigned, mistyped, foreign or misplaced pages and keeps what it knew', async () => {
    const good = await signPage({ snapshot: true, position: 1, sessions: [[sid('a'), secs()]] });
    const pages = new Map<string | null, string>([[null, good]]);
    serve(pages);
    const errors: unknown[] = [];
    const verifier = follow({ revocation: { pollIntervalMs: 20, onError: (e) => errors.push(e) } });
    await verifier.ready();
    const a = await tokenOf({ sid: 'a' });
    const stranger = await newKey();
    const [h, p, s] = (await signPage({ after: 1, position: 2, sessions: [[sid('b'), secs()]] })).split('.');
    const flipped = `${s?.slice(0, 10)}${s?.[10] === 'A' ? 'B' : 'A'}${s?.slice(11)}`;
    const bad = [
      `${h}.${p}.${flipped}`, // tampered signature
      `${Buffer.from('{"alg":"none","typ":"secevent+jwt"}').toString('base64url')}.${p}.`, // unsigned
      await signPage({ after: 1, position: 2 }, { header: { typ: 'at+jwt' } }), // an access token's typ
      await tokenOf({ sid: 'x' }), // an access token itself
      await signPage({ after: 1, position: 2 }, { iss: 'https://elsewhere.example' }), // another issuer
      await signPage({ after: 1, position: 2 }, { key: stranger }), // a key the issuer does not publish
      await signPage({ after: 7, position: 8 }), // a page that follows another position
    ];
    for (const jws of bad) {
      const before = errors.length;
      pages.set('1', jws);
      await waitFor(() => errors.length > before);
      expect(verifier.revocationStatus()).toMatchObject({ position: 1, entries: 1 });
      expect(verifier.revocationStatus()?.lastError).toBeDefined();
      expect(await codeOf(verifier.verify(a))).toBe('token_revoked');
      expect(await codeOf(verifier.verify(await tokenOf({ sid: 'b' })))).toBe('accepted');
    }
    // And a feed document is never taken for an access token.
    expect(await codeOf(verifier.verify(good))).toBe('type_invalid');
  });

  it('keeps the last good keys and revocations on disk: a restart while the issuer is down still verifies', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cxauth-verify-store-')), 'data');
    dirs.push(path.dirname(dir));
    serve(
      new Map([['*', await signPage({ snapshot: true, position: 4, sessions: [[sid('gone'), secs()]] })]]),
    );
    const first = follow({ store: fileStore(dir) });
    await first.ready();
    const [kept, gone] = [await tokenOf({ sid: 'kept' }), await tokenOf({ sid: 'gone' })];
    expect(await codeOf(first.verify(kept))).toBe('accepted');
    await first.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await issuer.close();

    const second = follow({ store: fileStore(dir) });
    await second.ready();
    expect(await codeOf(second.verify(kept))).toBe('accepted');
    expect(await codeOf(second.verify(gone))).toBe('token_revoked');
    expect(second.revocationStatus()).toMatchObject({ position: 4, entries: 1, lastSyncAt: undefined });
    const { readdirSync } = await import('node:fs');
    for (const file of readdirSync(dir)) expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
    issuer = await startIssuer(); // afterEach closes one
  });

  it('holds 100 000 revoked sessions and drops them when their tokens would have expired', async () => {
    const sessions: [string, number][] = [];
    for (let i = 0; i < 100_000; i++) sessions.push([sid(`s-${i}`), secs() - (i % 600)]);
    const pages = new Map<string | null, string>([
      [null, await signPage({ snapshot: true, position: 100_000, sessions, maxTokenAge: 3630 })],
    ]);
    pages.set('100000', await signPage({ after: 100_000, position: 100_000 }));
    serve(pages);
    const heapBefore = process.memoryUsage().heapUsed;
    const verifier = follow();
    await verifier.ready();
    expect(verifier.revocationStatus()?.entries).toBe(100_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
    expect(await codeOf(verifier.verify(await tokenOf({ sid: 's-99999' })))).toBe('token_revoked');
    now += 3631 * 1000; // every token those revocations covered has expired
    await waitFor(() => verifier.revocationStatus()?.entries === 0);
  });
});

describe('RevocationSet', () => {
  it('stays bounded by one token lifetime of revocations however many arrive', () => {
    const set = new RevocationSet();
    let peak = 0;
    // 20 "minutes" of 10 000 revocations each, tokens living 5 minutes: at most ~6 minutes are held.
    for (let minute = 0; minute < 20; minute++) {
      const at = minute * 60;
      const sessions: [string, number][] = [];
      for (let i = 0; i < 10_000; i++) sessions.push([`${minute}-${i}`.padEnd(22, 'x'), at]);
      set.apply({ position: minute + 1, maxTokenAge: 300, sessions, subjects: [] }, false);
      set.sweep(at * 1000);
      peak = Math.max(peak, set.size);
    }
    expect(peak).toBeLessThanOrEqual(60_000);
    set.sweep(10_000 * 1000);
    expect(set.size).toBe(0);
  });
});
