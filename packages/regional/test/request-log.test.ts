// The regional API's request log: one line per request at most, successes at debug only, refusals at
// info, failures at warn, and never the token, the Authorization header or the query string.

import { levelOf, pathOf } from '@cxauth/internal';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessClaims, type FakeIssuer, mint, startIssuer } from '../../verify/test/support/issuer.js';
import { createRegionalServer, SERVER_TIME_PATH } from '../src/index.js';

const INFO = 30;
const DEBUG = 20;
const WARN = 40;

let issuer: FakeIssuer;
let now: number;
let lines: Record<string, unknown>[];
let raw: string;
const apps: FastifyInstance[] = [];

/** A regional server whose log lines (pino JSON, written synchronously to this stream) are kept. */
async function serverAt(level: string, extra?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = await createRegionalServer({
    area: 'na1',
    issuer: issuer.url,
    clock: () => now,
    logger: {
      level,
      stream: {
        write(line: string) {
          raw += line;
          lines.push(JSON.parse(line));
        },
      },
    },
  });
  apps.push(app);
  extra?.(app);
  await app.ready();
  return app;
}

/** Lines of finished requests only (start-up and JWKS lines left out). */
const requestLines = () => lines.filter((l) => l['msg'] === 'request');

/** onResponse runs when the response has finished: one turn later than inject resolves, at most. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(async () => {
  issuer = await startIssuer();
  now = Date.now();
  lines = [];
  raw = '';
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await issuer.close();
});

describe('request log at info (the default of cxauth serve)', () => {
  it('writes nothing for a successful server-time, and one info line for a refusal', async () => {
    const app = await serverAt('info');
    const token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000)));
    for (let i = 0; i < 3; i++) {
      const ok = await app.inject({ url: SERVER_TIME_PATH, headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await settled();
    expect(requestLines()).toEqual([]);

    const refused = await app.inject({ url: SERVER_TIME_PATH });
    expect(refused.statusCode).toBe(401);
    await settled();
    expect(requestLines()).toEqual([
      expect.objectContaining({
        level: INFO,
        area: 'na1',
        method: 'GET',
        path: SERVER_TIME_PATH,
        status: 401,
        ms: expect.any(Number),
      }),
    ]);
    // Fastify's own "incoming request" / "request completed" lines are gone.
    expect(lines.some((l) => /incoming request|request completed/.test(String(l['msg'])))).toBe(false);
  });

  it('logs invalid tokens, wrong areas and unknown routes without a token, header or query', async () => {
    const app = await serverAt('info');
    const forged = `${await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000)))}x`;
    const otherArea = await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000), 'eu1'));
    const statuses = [
      (await app.inject({ url: SERVER_TIME_PATH, headers: { authorization: `Bearer ${forged}` } }))
        .statusCode,
      (await app.inject({ url: SERVER_TIME_PATH, headers: { authorization: `bearer ${otherArea}` } }))
        .statusCode,
      (await app.inject({ url: `/nope?access_token=${otherArea}`, headers: { cookie: 'session=s3cret' } }))
        .statusCode,
    ];
    expect(statuses).toEqual([401, 403, 404]);
    await settled();
    expect(requestLines().map((l) => [l['level'], l['status'], l['path']])).toEqual([
      [INFO, 401, SERVER_TIME_PATH],
      [INFO, 403, SERVER_TIME_PATH],
      [INFO, 404, '/nope'],
    ]);
    for (const secret of [forged, otherArea, forged.split('.')[2]!, 'access_token', 's3cret']) {
      expect(raw).not.toContain(secret);
    }
    expect(raw.toLowerCase()).not.toContain('authorization');
  });

  it('logs an unexpected failure once, at warn, with its reason', async () => {
    const app = await serverAt('info', (a) =>
      a.get('/boom', async () => {
        throw new Error('kaput');
      }),
    );
    const res = await app.inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'server_error', error_description: 'Unexpected failure' });
    await settled();
    const afterStart = lines.filter((l) => !String(l['msg']).startsWith('JWKS'));
    expect(afterStart).toEqual([
      expect.objectContaining({ level: WARN, msg: 'request', status: 500, path: '/boom', reason: 'kaput' }),
    ]);
    expect(raw).not.toContain('stack');
  });

  it('logs a readiness failure at warn', async () => {
    await issuer.close();
    const app = await serverAt('info');
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    await settled();
    expect(requestLines()).toEqual([expect.objectContaining({ level: WARN, status: 503, path: '/readyz' })]);
    issuer = await startIssuer();
  });
});

describe('request log at debug', () => {
  it('writes one debug line per successful request, and still no token', async () => {
    const app = await serverAt('debug');
    const token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(now / 1000)));
    await app.inject({ url: SERVER_TIME_PATH, headers: { authorization: `Bearer ${token}` } });
    await app.inject({ url: '/healthz?probe=1' });
    await settled();
    expect(requestLines().map((l) => [l['level'], l['status'], l['path']])).toEqual([
      [DEBUG, 200, SERVER_TIME_PATH],
      [DEBUG, 200, '/healthz'],
    ]);
    expect(raw).not.toContain(token.split('.')[2]);
  });
});

describe('a logger instance', () => {
  it('is used as given, with the same one line per refusal', async () => {
    const sink = { write: (line: string) => lines.push(JSON.parse(line)) };
    // A pino logger made by Fastify itself, so this test needs no pino import of its own.
    const owner = Fastify({ logger: { level: 'info', stream: sink } });
    const app = await createRegionalServer({ area: 'na1', issuer: issuer.url, logger: owner.log });
    apps.push(app, owner);
    expect((await app.inject({ url: SERVER_TIME_PATH })).statusCode).toBe(401);
    await settled();
    expect(requestLines()).toEqual([expect.objectContaining({ level: INFO, status: 401, area: 'na1' })]);
  });
});

describe('levels and paths', () => {
  it.each([
    [200, 'debug'],
    [304, 'debug'],
    [400, 'info'],
    [401, 'info'],
    [403, 'info'],
    [404, 'info'],
    [500, 'warn'],
    [503, 'warn'],
  ])('status %i is logged at %s', (status, level) => {
    expect(levelOf(status)).toBe(level);
  });

  it('drops the query string', () => {
    expect(pathOf('/a/b?token=x&y=z')).toBe('/a/b');
    expect(pathOf('/a/b')).toBe('/a/b');
  });
});
