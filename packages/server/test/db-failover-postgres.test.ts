// A PostgreSQL primary changing under the service (a switchover or failover behind HAProxy or
// PgBouncer), through a TCP proxy the test owns between the service and 127.0.0.1:5432: a connection
// refused while connecting waits for the database within CXAUTH_DB_FAILOVER_WAIT_MS and then succeeds;
// past that wait the answer is 503 + Retry-After and nothing was changed; a refresh rotation whose answer
// was lost after it reached PostgreSQL is answered with its committed successor, so the session lives;
// writes refused as read-only (a member not yet promoted) wait for a primary instead of a 500;
// and a pooler that refuses start-up parameters (PgBouncer's default) is served (docs/ha.md).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { PG_ADMIN_URL, pgUnavailable } from './support/storage-db.js';
import { TcpProxy } from './support/tcp-proxy.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`db-failover-postgres.test.ts skipped: ${pgReason}`);

const WAIT_MS = 2500;

describe.skipIf(pgReason !== undefined)('a PostgreSQL primary changing under the service', () => {
  let proxy: TcpProxy;
  let svc: TestService;

  const auth = () => ({ authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) });
  const password = () =>
    tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      auth(),
    );
  const refresh = (token: string) =>
    tokenRequest(svc.app, { grant_type: 'refresh_token', refresh_token: token }, auth());
  const freshRefreshToken = async () => {
    const res = await password();
    expect(res.statusCode).toBe(200);
    return res.json().refresh_token as string;
  };
  /** The proxy refuses connections for `ms`, as while no member is primary, then accepts again. */
  const outage = async (ms: number) => {
    await proxy.down();
    await sleep(ms);
    await proxy.up();
  };

  beforeAll(async () => {
    proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.up();
    svc = await startTestService({
      dialect: 'postgres',
      databaseUrl: (url) => proxy.urlFor(url),
      env: { CXAUTH_DB_FAILOVER_WAIT_MS: String(WAIT_MS) },
    });
  });

  afterEach(async () => {
    proxy.mode = 'forward';
    await proxy.up().catch(() => undefined);
  });

  afterAll(async () => {
    if (!proxy) return;
    await svc?.close();
    await proxy.close();
  });

  it('waits for a refused connection while the primary changes, and answers when it is back', async () => {
    const token = await freshRefreshToken();
    const back = outage(1000);
    const start = performance.now();
    const [grant, refreshed] = await Promise.all([password(), refresh(token)]);
    const ms = performance.now() - start;
    await back;
    expect(grant.statusCode).toBe(200);
    expect(refreshed.statusCode).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(WAIT_MS + 1500);
    expect((await refresh(refreshed.json().refresh_token)).statusCode).toBe(200);
  });

  it('answers 503 + Retry-After past the wait, having changed nothing: the same token works after', async () => {
    const token = await freshRefreshToken();
    const back = outage(WAIT_MS + 2000);
    const start = performance.now();
    const res = await refresh(token);
    const ms = performance.now() - start;
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error).toBe('temporarily_unavailable');
    // The last pause (at most 400 ms) is not taken when it would end past the wait.
    expect(ms).toBeGreaterThanOrEqual(WAIT_MS - 600);
    expect(ms).toBeLessThan(WAIT_MS + 2000);
    await back;
    const retry = await refresh(token);
    expect(retry.statusCode).toBe(200);
    expect((await refresh(retry.json().refresh_token)).statusCode).toBe(200);
  });

  it('answers a rotation whose connection died after it reached PostgreSQL with its committed successor', async () => {
    const token = await freshRefreshToken();
    let cut = false;
    let back: Promise<void> | undefined;
    proxy.mode = {
      // The rotation is one statement (claim and insert), committed on its own.
      cutAfter: (chunk) => chunk.includes('with "claimed"'),
      // Longer than the failover wait (an unplanned failover): the read-back waits longer still.
      onCut: () => {
        cut = true;
        back = outage(WAIT_MS + 1500);
      },
    };
    const res = await refresh(token);
    await back;
    expect(cut).toBe(true);
    expect(res.statusCode).toBe(200);
    const successor = res.json().refresh_token as string;
    const found = await svc.storage.sessions.findRefreshToken(svc.hasher.hash(token));
    // The presented token was spent exactly once, by that committed rotation, and the session lives.
    expect(found?.token.usedAt).not.toBeNull();
    expect(found?.session.revokedAt).toBeNull();
    const next = await refresh(successor);
    expect(next.statusCode).toBe(200);
  });

  it('opens the session of a password grant whose connection died after the insert reached PostgreSQL', async () => {
    let cut = false;
    proxy.mode = {
      cutAfter: (chunk) => chunk.includes('insert into "sessions"'),
      onCut: () => {
        cut = true;
      },
    };
    const res = await password();
    expect(cut).toBe(true);
    expect(res.statusCode).toBe(200);
    expect((await refresh(res.json().refresh_token)).statusCode).toBe(200);
  });

  it('waits while the server refuses writes as read-only (a member being promoted), then writes', async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const name = new URL(svc.config.databaseUrl).pathname.slice(1);
    // New connections start read-only, as on a member still in recovery; the open ones are ended.
    const readOnly = async (on: boolean) => {
      await admin.query(`alter database "${name}" set default_transaction_read_only = ${on ? 'on' : 'off'}`);
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
    };
    try {
      const token = await freshRefreshToken();
      await readOnly(true);
      const promoted = sleep(1000).then(() => readOnly(false));
      const [grant, refreshed] = await Promise.all([password(), refresh(token)]);
      await promoted;
      expect(grant.statusCode).toBe(200);
      expect(refreshed.statusCode).toBe(200);
      expect((await refresh(refreshed.json().refresh_token)).statusCode).toBe(200);
    } finally {
      await readOnly(false);
      await admin.end();
    }
  });

  it('reads again on a new connection when a read loses its connection', async () => {
    const token = await freshRefreshToken();
    let cut = false;
    proxy.mode = {
      cutAfter: (chunk) => chunk.includes('from "refresh_tokens"') && !chunk.includes('with "claimed"'),
      onCut: () => {
        cut = true;
      },
    };
    const res = await refresh(token);
    expect(cut).toBe(true);
    expect(res.statusCode).toBe(200);
  });
});

describe.skipIf(pgReason !== undefined)(
  'behind a pooler that refuses start-up parameters (PgBouncer)',
  () => {
    let proxy: TcpProxy;
    let svc: TestService;

    beforeAll(async () => {
      proxy = new TcpProxy('127.0.0.1', 5432);
      proxy.refuseStartupParameters = [
        'statement_timeout',
        'lock_timeout',
        'idle_in_transaction_session_timeout',
      ];
      await proxy.up();
      svc = await startTestService({ dialect: 'postgres', databaseUrl: (url) => proxy.urlFor(url) });
    });

    afterAll(async () => {
      await svc?.close();
      await proxy?.close();
    });

    it('starts, migrates and serves grants and refreshes', async () => {
      const auth = { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) };
      const grant = await tokenRequest(
        svc.app,
        { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
        auth,
      );
      expect(grant.statusCode).toBe(200);
      const refreshed = await tokenRequest(
        svc.app,
        { grant_type: 'refresh_token', refresh_token: grant.json().refresh_token },
        auth,
      );
      expect(refreshed.statusCode).toBe(200);
      expect((await svc.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    });
  },
);
