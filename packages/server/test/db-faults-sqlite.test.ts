// SQLite with its write lock held by another connection (BEGIN IMMEDIATE on a second handle): the
// token request answers 503 temporarily_unavailable within the lock timeout, while the event loop
// never stalls (the busy wait is asynchronous: monitorEventLoopDelay stays at a few ms) and /healthz
// keeps answering meanwhile. When the lock is released, the service writes again at once.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlitePath } from '../src/storage/open.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * CXAUTH_DB_LOCK_TIMEOUT_MS for this test, and the largest event-loop stall it tolerates: a synchronous
 * busy wait stalls for the whole lock timeout (5 s before), the asynchronous one for a few ms; the
 * margin is for a shared, loaded CI machine (timers, GC, signing tokens).
 */
const LOCK_TIMEOUT_MS = 800;
const MAX_LOOP_DELAY_MS = 100;

describe('SQLite locked by another connection', () => {
  let svc: TestService;
  let holder: Sqlite.Database;

  const password = () =>
    tokenRequest(
      svc.app,
      { grant_type: 'password', username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );

  beforeAll(async () => {
    svc = await startTestService({ env: { CXAUTH_DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) } });
    holder = new Sqlite(sqlitePath(svc.config.databaseUrl));
  });
  afterAll(async () => {
    if (holder?.inTransaction) holder.exec('rollback');
    holder?.close();
    await svc?.close();
  });

  it('answers 503 within the lock timeout without blocking the event loop', async () => {
    expect((await password()).statusCode).toBe(200);
    holder.exec('begin immediate');
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let healthAnswers = 0;
    let stop = false;
    const health = (async () => {
      while (!stop) {
        const res = await svc.app.inject({ url: '/healthz' });
        if (res.statusCode === 200) healthAnswers++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    delay.enable();
    const start = performance.now();
    const results = await Promise.all([password(), password(), password()]);
    const elapsed = performance.now() - start;
    delay.disable();
    stop = true;
    await health;
    for (const res of results) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json().error).toBe('temporarily_unavailable');
    }
    // Queued requests share one deadline: three of them do not take three lock timeouts.
    expect(elapsed).toBeLessThan(LOCK_TIMEOUT_MS + 700);
    expect(delay.max / 1e6).toBeLessThan(MAX_LOOP_DELAY_MS);
    expect(healthAnswers).toBeGreaterThan(LOCK_TIMEOUT_MS / 50);
    // Readers are not blocked by a writer (WAL): the service still reads.
    expect((await svc.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    holder.exec('commit');
    expect((await password()).statusCode).toBe(200);
    // Let the access-key touches queued during the lock finish before the next test takes it.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('waits out a lock shorter than the timeout and then succeeds', async () => {
    holder.exec('begin immediate');
    setTimeout(() => holder.exec('commit'), LOCK_TIMEOUT_MS / 4);
    expect((await password()).statusCode).toBe(200);
  });
});
