// A regional API that knows no revocation yet says so: restarted with no saved feed state while the feed
// is unreachable, it logs that tokens are accepted on their signature alone, and /readyz answers
// `synced: false` (source `none`) until the first successful poll — docs/revocation.md "Limits".
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FEED_EVENT } from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeIssuer, signRaw, startIssuer } from '../../verify/test/support/issuer.js';
import { createRegionalServer } from '../src/index.js';

const WARN = 40;
let issuer: FakeIssuer;
let dir: string;
let lines: Record<string, unknown>[];
const apps: FastifyInstance[] = [];

beforeEach(async () => {
  issuer = await startIssuer();
  dir = mkdtempSync(path.join(tmpdir(), 'cxauth-readiness-'));
  lines = [];
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function regional(): Promise<FastifyInstance> {
  const app = await createRegionalServer({
    area: 'na1',
    issuer: issuer.url,
    dataDir: dir,
    revocation: { pollIntervalMs: 20 },
    logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
  });
  apps.push(app);
  await app.ready();
  return app;
}

/** A signed snapshot page of an empty feed at `position`. */
const snapshot = (position: number) =>
  signRaw(
    issuer.key,
    { alg: 'RS256', typ: 'secevent+jwt', kid: issuer.key.kid },
    {
      iss: issuer.url,
      iat: Math.floor(Date.now() / 1000),
      jti: `${position}-${Math.random()}`,
      events: {
        [FEED_EVENT]: {
          snapshot: true,
          position,
          more: false,
          max_token_age: 3630,
          sessions_revoked: [],
          subjects_disabled: [],
        },
      },
    },
  ).then((jws) => ({ sets: { page: jws }, moreAvailable: false }));

const readyz = async (app: FastifyInstance) => {
  const res = await app.inject({ url: '/readyz' });
  expect(res.statusCode).toBe(200);
  return res.json() as { status: string; revocation?: Record<string, unknown> };
};

const warnings = () => lines.filter((l) => l['level'] === WARN).map((l) => String(l['msg']));

describe('a regional API that has never reached the feed', () => {
  it('logs that it knows no revocation, and /readyz says synced: false until the first poll succeeds', async () => {
    let page: unknown;
    issuer.feed = () => {
      if (page === undefined) throw new Error('feed down');
      return page;
    };
    const app = await regional();
    await expect.poll(warnings, { timeout: 3_000, interval: 20 }).toHaveLength(1);
    expect(warnings()[0]).toMatch(/no revocations saved: tokens are accepted on their signature alone/);
    expect(await readyz(app)).toMatchObject({
      status: 'ready',
      revocation: { synced: false, source: 'none', lagMs: null, position: 0, entries: 0 },
    });

    page = await snapshot(7);
    await expect
      .poll(async () => (await readyz(app)).revocation, { timeout: 3_000, interval: 20 })
      .toMatchObject({ synced: true, source: 'feed', position: 7 });
    expect(typeof (await readyz(app)).revocation?.['lagMs']).toBe('number');
  });

  it('restarted from a saved JWKS alone with the issuer down: ready to verify, and says it knows no revocation', async () => {
    // A first run saves the JWKS (and a feed state, removed below: "no saved state").
    let page = await snapshot(3);
    issuer.feed = () => page;
    const first = await regional();
    await expect
      .poll(async () => (await readyz(first)).revocation, { timeout: 3_000, interval: 20 })
      .toMatchObject({ synced: true, position: 3 });
    await first.close();
    for (const file of readdirSync(dir)) if (file.startsWith('revocations-')) rmSync(path.join(dir, file));
    expect(readdirSync(dir).some((f) => f.startsWith('jwks-'))).toBe(true);
    await issuer.close();
    page = await snapshot(4);

    lines = [];
    const restarted = await regional();
    await expect
      .poll(warnings, { timeout: 3_000, interval: 20 })
      .toContainEqual(expect.stringMatching(/revocation feed unreachable and no revocations saved/));
    expect(await readyz(restarted)).toMatchObject({
      status: 'ready',
      revocation: { synced: false, source: 'none', lagMs: null },
    });
  });
});

describe('a regional API whose feed has gone stale', () => {
  it('names it in /readyz (still 200: it verifies with what it knows) and logs it once', async () => {
    let now = Math.floor(Date.now() / 1000) * 1000;
    let page: unknown = await snapshot(5);
    issuer.feed = () => {
      if (page === undefined) throw new Error('feed down');
      return page;
    };
    const app = await createRegionalServer({
      area: 'na1',
      issuer: issuer.url,
      dataDir: dir,
      clock: () => now,
      revocation: { pollIntervalMs: 20, staleAfter: 5_000 },
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    apps.push(app);
    await app.ready();
    await expect
      .poll(async () => (await readyz(app)).revocation, { timeout: 3_000, interval: 20 })
      .toMatchObject({ synced: true, position: 5, stale: false });
    expect((await readyz(app))['warnings' as 'status']).toBeUndefined();

    page = undefined;
    now += 6_000;
    await expect
      .poll(async () => (await readyz(app)).revocation, { timeout: 3_000, interval: 20 })
      .toMatchObject({ stale: true, position: 5, synced: true });
    const body = (await readyz(app)) as Record<string, unknown>;
    expect(body['status']).toBe('ready');
    expect(body['warnings']).toEqual([expect.stringMatching(/revocation feed stale/)]);
    await expect
      .poll(warnings, { timeout: 3_000, interval: 20 })
      .toContainEqual(expect.stringMatching(/revocation feed stale/));
  });
});
