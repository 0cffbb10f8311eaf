// PostgreSQL faults, through a TCP proxy the test owns between the service and 127.0.0.1:5432 (the
// shared server is never touched): down (refused, connections cut), partitioned (sockets held open,
// nothing forwarded) and slow. Every endpoint that needs the database answers 503 temporarily_unavailable
// with Retry-After within ~2 s, never a 500 and never a hang; /healthz stays 200; recovery is immediate.
import { performance } from 'node:perf_hooks';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';
import { TcpProxy } from './support/tcp-proxy.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`db-faults-postgres.test.ts skipped: ${pgReason}`);

/** The defaults answer within connect (1 s) or statement (1.5 s) timeout; this leaves room for a busy CI. */
const ANSWER_WITHIN_MS = 3000;
const ORIGIN = 'https://app.example';

interface Probe {
  name: string;
  res: LightMyRequestResponse;
  ms: number;
}

describe.skipIf(pgReason !== undefined)('PostgreSQL faults through a TCP proxy', () => {
  let proxy: TcpProxy;
  let svc: TestService;
  let refreshToken: string;
  let accessToken: string;

  const timed = async (name: string, run: () => Promise<LightMyRequestResponse>): Promise<Probe> => {
    const start = performance.now();
    const res = await run();
    return { name, res, ms: performance.now() - start };
  };
  const auth = () => ({ authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) });
  const password = () =>
    tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      auth(),
    );

  /** Every database-backed endpoint once, concurrently. */
  const probes = () =>
    Promise.all([
      timed('password grant', password),
      timed('refresh grant', () =>
        tokenRequest(svc.app, { grant_type: 'refresh_token', refresh_token: refreshToken }, auth()),
      ),
      timed('userinfo', () =>
        svc.app.inject({ url: '/auth/userinfo', headers: { authorization: `Bearer ${accessToken}` } }),
      ),
      timed('cxone-configuration', () =>
        svc.app.inject({ url: `/.well-known/cxone-configuration?tenantId=${svc.fixture.tenant.id}` }),
      ),
      timed('readyz', () => svc.app.inject({ url: '/readyz' })),
    ]);

  /** A fault: every probe is a prompt 503 with Retry-After and an RFC 6749 body naming nothing inside. */
  const expectUnavailable = async () => {
    const rounds = await Promise.all([probes(), probes(), probes()]);
    for (const { name, res, ms } of rounds.flat()) {
      expect({ name, status: res.statusCode }).toEqual({ name, status: 503 });
      expect(ms, name).toBeLessThan(ANSWER_WITHIN_MS);
      expect(res.headers['retry-after'], name).toBe('1');
      expect(res.headers['content-type'], name).toMatch(/^application\/json/);
      expect(res.json().error, name).toBe('temporarily_unavailable');
      expect(res.body, name).not.toMatch(/127\.0\.0\.1|5432|postgres|timeout|ECONN/i);
    }
    const health = await svc.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const preflight = await svc.app.inject({
      method: 'OPTIONS',
      url: '/auth/token',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
  };

  /** Recovery: the very next requests succeed. */
  const expectServing = async () => {
    for (const { name, res } of await probes()) {
      expect({ name, status: res.statusCode }).toEqual({ name, status: 200 });
    }
    const fresh = (await password()).json();
    refreshToken = fresh.refresh_token;
    accessToken = fresh.access_token;
  };

  beforeAll(async () => {
    proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.up();
    svc = await startTestService({
      dialect: 'postgres',
      databaseUrl: (url) => proxy.urlFor(url),
      application: { origins: [ORIGIN] },
      // Prompt answers: the failover wait (which would hold each request up to 5 s for a new primary)
      // and the read-back of a write in doubt (12 s) are off here; db-failover-postgres.test.ts tests them.
      env: { CXAUTH_DB_FAILOVER_WAIT_MS: '0', CXAUTH_DB_IN_DOUBT_WAIT_MS: '0' },
    });
    const first = (await password()).json();
    refreshToken = first.refresh_token;
    accessToken = first.access_token;
  });

  afterAll(async () => {
    if (!proxy) return;
    proxy.mode = 'forward';
    await proxy.up().catch(() => undefined);
    await svc?.close();
    await proxy.close();
  });

  it('answers 503 while PostgreSQL is down, and recovers when it returns', async () => {
    await proxy.down();
    await expectUnavailable();
    await proxy.up();
    await expectServing();
  });

  it('answers 503 within the timeouts during a partition (sockets open, nothing forwarded)', async () => {
    proxy.mode = 'partition';
    await expectUnavailable();
    proxy.mode = 'forward';
    await expectServing();
  });

  it('serves a slow database, and answers 503 when it is slower than the statement timeout', async () => {
    proxy.mode = { delayMs: 40 };
    const slow = await password();
    expect(slow.statusCode).toBe(200);
    proxy.mode = { delayMs: 5000 };
    await expectUnavailable();
    proxy.mode = 'forward';
    await expectServing();
  });
});
