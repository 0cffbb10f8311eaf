// The feed never goes back: a genuinely signed page older than what a verifier knows (by position, or
// by its iat past the poll interval plus 30 s) is refused and un-revokes nothing, in memory or in the
// state saved on disk; lag is measured from the newest page's iat, and past staleAfter without a fresh
// page the status says `stale` while tokens are still verified (docs/revocation.md, "Freshness").
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createVerifier,
  FEED_EVENT,
  fileStore,
  revocationDigest,
  TokenError,
  type Verifier,
} from '../src/index.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, signRaw, startIssuer } from './support/issuer.js';

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
  sessions?: [string, number][];
  /** Seconds since the epoch; default the injected clock's now. */
  iat?: number;
}

const secs = () => Math.floor(now / 1000);
const sid = (value: string) => revocationDigest(issuer.url, 'sid', value);

function signPage(p: Page): Promise<string> {
  return signRaw(
    issuer.key,
    { alg: 'RS256', typ: 'secevent+jwt', kid: issuer.key.kid },
    {
      iss: issuer.url,
      iat: p.iat ?? secs(),
      jti: `${Math.random()}`,
      events: {
        [FEED_EVENT]: {
          snapshot: p.snapshot ?? false,
          ...(p.after === undefined ? {} : { after: p.after }),
          position: p.position,
          more: false,
          max_token_age: 3630,
          sessions_revoked: p.sessions ?? [],
          subjects_disabled: [],
        },
      },
    },
  );
}

/** The feed answers every request with `current()` (a signed page), counting the requests. */
function serve(current: () => string | undefined): { polls: number } {
  const counter = { polls: 0 };
  issuer.feed = () => {
    counter.polls++;
    const jws = current();
    if (jws === undefined) throw new Error('feed down');
    return { sets: { one: jws }, moreAvailable: false };
  };
  return counter;
}

function follow(extra: Partial<Parameters<typeof createVerifier>[0]> = {}, staleAfter?: number): Verifier {
  const v = createVerifier({
    issuer: issuer.url,
    audience: AUDIENCE,
    clock: () => now,
    revocation: { pollIntervalMs: 20, ...(staleAfter === undefined ? {} : { staleAfter }) },
    ...extra,
  });
  verifiers.push(v);
  return v;
}

/** Resolves once the feed has been polled `n` more times (so the verifier has seen what it serves). */
async function polled(counter: { polls: number }, n = 2): Promise<void> {
  const target = counter.polls + n;
  await expect.poll(() => counter.polls, { timeout: 3_000, interval: 10 }).toBeGreaterThanOrEqual(target);
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof TokenError ? e.code : 'other'),
  );
const tokenOf = (claims: Record<string, unknown>) =>
  mint(issuer.key, { ...accessClaims(issuer.url, secs()), ...claims });

describe('the feed never goes back', () => {
  it('refuses a replayed, genuinely signed older snapshot: the revoked session stays revoked', async () => {
    // Recorded by a cache or a man in the middle before the revocation: signed, and only seconds old.
    const old = await signPage({ snapshot: true, position: 3 });
    let page: string | undefined = old;
    const feed = serve(() => page);
    const verifier = follow();
    await verifier.ready();
    const token = await tokenOf({ sid: 'victim' });
    expect(await codeOf(verifier.verify(token))).toBe('accepted');

    page = await signPage({ after: 3, position: 4, sessions: [[sid('victim'), secs()]] });
    await expect.poll(() => verifier.revocationStatus()?.position, { timeout: 3_000 }).toBe(4);
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked');

    now += 5_000; // well inside the iat window: only the position tells the replay apart
    page = old;
    await polled(feed);
    expect(verifier.revocationStatus()).toMatchObject({ position: 4, entries: 1 });
    expect(verifier.revocationStatus()?.lastError).toMatch(/older than position 4/);
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked');
  });

  it('refuses a page whose iat is older than the poll interval plus 30 s, even a snapshot ahead', async () => {
    let page: string | undefined = await signPage({
      snapshot: true,
      position: 1,
      sessions: [[sid('a'), secs()]],
    });
    const feed = serve(() => page);
    const verifier = follow();
    await verifier.ready();
    const a = await tokenOf({ sid: 'a' });
    // A snapshot with a higher position that forgets `a`, signed 31 s before now: refused.
    page = await signPage({ snapshot: true, position: 9, iat: secs() - 31 });
    await polled(feed);
    expect(verifier.revocationStatus()?.position).toBe(1);
    expect(verifier.revocationStatus()?.lastError).toMatch(/older than the poll interval plus 30 s/);
    expect(await codeOf(verifier.verify(a))).toBe('token_revoked');
    // The same page signed 29 s ago is inside the window (a cache may hold a page that long).
    page = await signPage({ snapshot: true, position: 9, iat: secs() - 29 });
    await expect.poll(() => verifier.revocationStatus()?.position, { timeout: 3_000 }).toBe(9);
    expect(await codeOf(verifier.verify(a))).toBe('accepted');
  });

  it('measures lag from the newest page iat, not from when a page arrived', async () => {
    let page: string | undefined = await signPage({ snapshot: true, position: 2, iat: secs() - 20 });
    const feed = serve(() => page);
    const verifier = follow();
    await verifier.ready();
    await polled(feed);
    // Polled successfully just now, yet the newest page it holds was issued 20 s ago.
    expect(verifier.revocationStatus()?.lagMs).toBe(20_000);
    page = await signPage({ after: 2, position: 2 });
    await expect.poll(() => verifier.revocationStatus()?.lagMs, { timeout: 3_000 }).toBe(0);
    now += 7_000;
    page = undefined; // the feed goes down: lag grows with the clock
    await polled(feed);
    expect(verifier.revocationStatus()?.lagMs).toBe(7_000);
  });

  it('says stale past staleAfter without a fresh page, and keeps verifying with what it knows', async () => {
    let page: string | undefined = await signPage({
      snapshot: true,
      position: 1,
      sessions: [[sid('a'), secs()]],
    });
    const feed = serve(() => page);
    const verifier = follow({}, 10_000);
    await verifier.ready();
    const [a, b] = [await tokenOf({ sid: 'a' }), await tokenOf({ sid: 'b' })];
    expect(verifier.revocationStatus()?.stale).toBe(false);

    page = undefined;
    now += 9_000;
    await polled(feed);
    expect(verifier.revocationStatus()?.stale).toBe(false);
    now += 2_000; // 11 s since the newest page's iat
    await polled(feed);
    expect(verifier.revocationStatus()).toMatchObject({ stale: true, position: 1, lagMs: 11_000 });
    expect(await codeOf(verifier.verify(a))).toBe('token_revoked');
    expect(await codeOf(verifier.verify(b))).toBe('accepted');

    page = await signPage({ after: 1, position: 1 });
    await expect.poll(() => verifier.revocationStatus()?.stale, { timeout: 3_000 }).toBe(false);
  });

  it('defaults staleAfter to 60 s, and refuses a bad one at creation', async () => {
    const feed = serve(() => undefined);
    const verifier = follow();
    await verifier.ready().catch(() => undefined);
    now += 60_000;
    await polled(feed);
    expect(verifier.revocationStatus()?.stale).toBe(false);
    now += 1_000;
    expect(verifier.revocationStatus()).toMatchObject({ stale: true, source: 'none' });
    expect(() =>
      createVerifier({ issuer: issuer.url, audience: AUDIENCE, revocation: { staleAfter: Number.NaN } }),
    ).toThrow(/staleAfter/);
  });

  it('cannot be rolled back through its saved state: a restart refuses the replayed snapshot too', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cxauth-freshness-'));
    dirs.push(dir);
    const old = await signPage({ snapshot: true, position: 3 });
    let page = old;
    const feed = serve(() => page);
    const first = follow({ store: fileStore(dir) });
    await first.ready();
    page = await signPage({ after: 3, position: 4, sessions: [[sid('victim'), secs()]] });
    await expect.poll(() => first.revocationStatus()?.position, { timeout: 3_000 }).toBe(4);
    await first.close();

    // Restarted behind the replaying cache: the saved position and iat hold, the replay is refused.
    page = old;
    const second = follow({ store: fileStore(dir) });
    await second.ready();
    await polled(feed);
    expect(second.revocationStatus()).toMatchObject({ position: 4, entries: 1, source: 'saved' });
    expect(await codeOf(second.verify(await tokenOf({ sid: 'victim' })))).toBe('token_revoked');
    await second.close();
    const file = readdirSync(dir).find((f) => f.startsWith('revocations-')) as string;
    const saved = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ position: 4, iat: secs() });
    expect(saved['sessions']).toEqual([[sid('victim'), secs()]]);
  });

  it('never moves the saved state back for another process sharing the data folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cxauth-freshness-'));
    dirs.push(dir);
    let page = await signPage({ snapshot: true, position: 3 });
    serve(() => page);
    // `behind` saves position 3, then loses the feed (its own fetch fails) and stays there.
    let cut = false;
    const behind = follow({
      store: fileStore(dir),
      fetch: (url, init) =>
        cut && url.includes('revocations') ? Promise.reject(new Error('cut')) : fetch(url, init),
    });
    await behind.ready();
    // It applies one more page (unsaved yet: the clock stands still within the save interval)…
    page = await signPage({ after: 3, position: 3 });
    const feed = serve(() => page);
    await polled(feed);
    cut = true;
    // `ahead` shares the folder and moves on to position 4, and saves it on close.
    page = await signPage({ after: 3, position: 4, sessions: [[sid('victim'), secs()]] });
    const ahead = follow({ store: fileStore(dir) });
    await expect.poll(() => ahead.revocationStatus()?.position, { timeout: 3_000 }).toBe(4);
    await ahead.close();
    // `behind` closing (it saves on close) must not write its older state over it.
    await behind.close();
    const file = readdirSync(dir).find((f) => f.startsWith('revocations-')) as string;
    const saved = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ position: 4 });
  });
});
