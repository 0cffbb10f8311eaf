// A man in the middle (or a stale cache, or a mirror) in front of the real revocation feed records its
// genuinely signed pages and replays them later: a verifier behind it never goes back — a revoked
// session stays revoked, in memory and across a restart from its data folder, a replayed page past the
// poll interval plus 30 s is refused by its iat, the lag is measured from the newest page's iat, and
// the status says `stale` while tokens are still verified (docs/revocation.md, "Freshness").
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createVerifier, fileStore, TokenError, type Verifier } from '@cxauth/verify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic, claimsOf, tokenRequest } from './support/http.js';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';

/** What the relay answers: the real feed (recording each answer), or one recorded body, replayed. */
interface Relay {
  url: string;
  /** Bodies of /auth/revocations as the real feed gave them, in order, with the query asked. */
  recorded: { query: string; body: string }[];
  replay: string | undefined;
  close(): Promise<void>;
}

async function relay(svc: TestService): Promise<Relay> {
  const state: Omit<Relay, 'url' | 'close'> = { recorded: [], replay: undefined };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    void (async () => {
      if (url.pathname === '/auth/revocations' && state.replay !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=1' });
        res.end(state.replay);
        return;
      }
      const real = await svc.app.inject({ url: `${url.pathname}${url.search}` });
      if (url.pathname === '/auth/revocations') state.recorded.push({ query: url.search, body: real.body });
      res.writeHead(real.statusCode, { 'content-type': String(real.headers['content-type']) });
      res.end(real.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof TokenError ? e.code : 'other'),
  );

/** The position of a recorded feed body (its one SET's page). */
function positionOf(body: string): number {
  const jws = Object.values((JSON.parse(body) as { sets: Record<string, string> }).sets)[0] as string;
  const events = claimsOf(jws)['events'] as Record<string, { position: number }>;
  return Object.values(events)[0]?.position as number;
}

describe('a replaying relay in front of the real revocation feed', () => {
  let svc: TestService;
  let mitm: Relay;
  const verifiers: Verifier[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'cxauth-replay-'));

  beforeAll(async () => {
    svc = await startTestService();
    mitm = await relay(svc);
  });
  afterEach(async () => {
    await Promise.all(verifiers.splice(0).map((v) => v.close()));
  });
  afterAll(async () => {
    await mitm?.close();
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(): Promise<{ token: string; sid: string; aud: string }> {
    const { accessKeyId, accessKeySecret, clientId, clientSecret } = svc.fixture;
    const res = await tokenRequest(
      svc.app,
      { grant_type: 'password', username: accessKeyId, password: accessKeySecret },
      { authorization: basic(clientId, clientSecret) },
    );
    expect(res.statusCode).toBe(200);
    const token = (res.json() as { access_token: string }).access_token;
    const claims = claimsOf(token);
    return { token, sid: claims['sid'] as string, aud: claims['aud'] as string };
  }

  function follow(aud: string, withStore: boolean): Verifier {
    const v = createVerifier({
      issuer: TEST_ISSUER,
      audience: aud,
      jwksUri: `${mitm.url}/auth/jwks`,
      clock: () => svc.clock.now().getTime(),
      revocation: { feedUri: `${mitm.url}/auth/revocations`, pollIntervalMs: 20, staleAfter: 60_000 },
      ...(withStore ? { store: fileStore(dir) } : {}),
    });
    verifiers.push(v);
    return v;
  }

  it('keeps a revoked session revoked while the relay replays the snapshot it recorded before', async () => {
    const { token, sid, aud } = await signIn();
    const verifier = follow(aud, true);
    await verifier.ready();
    expect(await codeOf(verifier.verify(token))).toBe('accepted');
    const snapshot = mitm.recorded.find((r) => r.query === '')?.body as string;
    expect(snapshot).toBeDefined();

    await svc.storage.sessions.revoke(sid, 'test', svc.clock.now());
    const head = (await svc.storage.revocations.head()).position;
    await expect.poll(() => verifier.revocationStatus()?.position, { timeout: 3_000 }).toBe(head);
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked');
    expect(positionOf(snapshot)).toBeLessThan(head);
    // The relay also records the (empty) page after the head, as any verifier's next poll would.
    const next = await (await fetch(`${mitm.url}/auth/revocations?after=${head}`)).text();
    expect(positionOf(next)).toBe(head);

    // The relay now answers every poll with the genuinely signed snapshot from before the revocation.
    mitm.replay = snapshot;
    const polls = mitm.recorded.length;
    svc.clock.advance(5);
    await expect
      .poll(() => verifier.revocationStatus()?.lastError, { timeout: 3_000 })
      .toMatch(/older than position/);
    expect(mitm.recorded.length).toBe(polls); // every answer since came from the relay
    expect(verifier.revocationStatus()?.position).toBe(head);
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked');
    // Lag is measured from the newest page the issuer signed, so the replay does not look current.
    expect(verifier.revocationStatus()?.lagMs).toBeGreaterThanOrEqual(5_000);
    await verifier.close();

    // Restarted from its data folder behind the same relay: the saved state is not rolled back.
    const restarted = follow(aud, true);
    await restarted.ready();
    await expect
      .poll(() => restarted.revocationStatus()?.lastError, { timeout: 3_000 })
      .toMatch(/older than position/);
    expect(restarted.revocationStatus()).toMatchObject({ position: head, source: 'saved' });
    expect(await codeOf(restarted.verify(token))).toBe('token_revoked');

    // Past the poll interval plus 30 s, even a verifier knowing nothing refuses the replay by its iat.
    svc.clock.advance(31);
    const fresh = follow(aud, false);
    await fresh.ready();
    expect(fresh.revocationStatus()?.lastError).toMatch(/older than the poll interval plus 30 s/);
    expect(fresh.revocationStatus()).toMatchObject({ position: 0, source: 'none' });

    // The page after the head, recorded and replayed a minute later: refused, and the status is stale.
    mitm.replay = next;
    svc.clock.advance(30);
    await expect.poll(() => restarted.revocationStatus()?.stale, { timeout: 3_000 }).toBe(true);
    expect(await codeOf(restarted.verify(token))).toBe('token_revoked');

    // And with the relay out of the way, the real feed's fresh pages (each with its iat) are taken again.
    mitm.replay = undefined;
    await expect.poll(() => restarted.revocationStatus()?.stale, { timeout: 3_000 }).toBe(false);
    expect(restarted.revocationStatus()?.lagMs).toBeLessThan(2_000);
    expect(await codeOf(restarted.verify(token))).toBe('token_revoked');
  });

  it('puts the issue time in every page it serves', async () => {
    for (const query of ['', '?after=0', '?after=999999']) {
      const res = await svc.app.inject({ url: `/auth/revocations${query}` });
      const jws = Object.values((res.json() as { sets: Record<string, string> }).sets)[0] as string;
      expect(claimsOf(jws)['iat']).toBe(svc.clock.epoch);
    }
  });
});
