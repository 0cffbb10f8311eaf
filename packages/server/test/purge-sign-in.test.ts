// The purge after people sign in (docs/operations.md "Purge"): a code-flow session that was logged out
// is purged with its sign-in and codes on SQLite and PostgreSQL, a purger that fails is logged and
// counted while the others run, and a signed-in browser cannot grow the codes without bound.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RETENTION_DEFAULTS } from '../src/config/retention.js';
import { THROTTLE_DEFAULTS } from '../src/config/throttling.js';
import { TOKEN_DEFAULTS } from '../src/config/tokens.js';
import type { Application } from '../src/domain/types.js';
import { type PurgeReport, purge } from '../src/maintenance/purge.js';
import { createServiceMetrics } from '../src/observability/metrics.js';
import { UNEXCHANGED_CODES_PER_SIGN_IN } from '../src/tokens/authorization-code.js';
import { tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import {
  authorizeQuery,
  type Browser,
  type Pkce,
  POST_LOGOUT,
  publicApp,
  REDIRECT,
  redirectParams,
  signInOnPage,
} from './support/sign-in.js';
import { pgUnavailable } from './support/storage-db.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`purge after sign-in on PostgreSQL skipped: ${pgReason}`);

const DAY = 86_400;
const options = (now: Date) => ({
  retention: { ...RETENTION_DEFAULTS, purgeBatchSize: 10 },
  throttling: THROTTLE_DEFAULTS,
  tokens: TOKEN_DEFAULTS,
  now,
});
const deleted = (report: PurgeReport) =>
  Object.fromEntries(Object.entries(report).map(([kind, o]) => [kind, o.deleted]));
const failures = (report: PurgeReport) => Object.entries(report).filter(([, o]) => o.failed !== undefined);

/** Signs a new user in through the page; returns the browser (holding the SSO cookie) and the code. */
async function signIn(
  svc: TestService,
  app: Application,
): Promise<{ browser: Browser; code: string; p: Pkce }> {
  const { browser, p, res } = await signInOnPage(svc, app);
  expect(res.statusCode).toBe(302);
  return { browser, code: redirectParams(res).get('code') as string, p };
}

/** The code of one more authorization request of a signed-in browser (single sign-on). */
async function ssoCode(browser: Browser, app: Application, p: Pkce): Promise<string> {
  const res = await browser.get(`/auth/authorize?${authorizeQuery(app, p)}`);
  expect(res.statusCode).toBe(302);
  return redirectParams(res).get('code') as string;
}

const exchange = (svc: TestService, app: Application, code: string, p: Pkce) =>
  tokenRequest(svc.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    client_id: app.clientId,
  });

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('purge after a code-flow sign-in (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  let app: Application;
  beforeAll(async () => {
    if (skip) return;
    svc = await startTestService({ dialect });
    app = await publicApp(svc);
  });
  afterAll(() => svc?.close());

  it.skipIf(skip)(
    'purges a logged-out session, then its codes and its sign-in, and keeps live ones',
    async () => {
      const live = await signIn(svc, app);
      const liveTokens = await exchange(svc, app, live.code, live.p);
      expect(liveTokens.statusCode).toBe(200);

      const { browser, code, p } = await signIn(svc, app);
      const tokens = (await exchange(svc, app, code, p)).json();
      // One more code of the same sign-in, never exchanged.
      await ssoCode(browser, app, p);
      const out = await browser.get(
        `/auth/authorize/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT })}`,
      );
      expect(out.statusCode).toBe(302);

      // The revoked session goes at once, with its refresh token and its link to the sign-in (which
      // the foreign key used to refuse, stopping every later run).
      const first = await purge(svc.storage, options(svc.clock.now()));
      expect(failures(first)).toEqual([]);
      expect(first['sessions']?.deleted).toBe(1);
      expect(first['refresh_tokens']?.deleted).toBe(1);
      // Its codes are not expired yet, and hold the ended sign-in until they are.
      expect(first['authorization_codes']?.deleted).toBe(0);
      expect(first['sign_ins']?.deleted).toBe(0);
      const refused = await tokenRequest(svc.app, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: app.clientId,
      });
      expect(refused.json().error).toBe('invalid_grant');

      svc.clock.advance(120);
      const second = await purge(svc.storage, options(svc.clock.now()));
      expect(failures(second)).toEqual([]);
      // Three codes expired (two of the logged-out sign-in, one of the live one); only the ended sign-in
      // goes, the live one has a grant session.
      expect(deleted(second)).toMatchObject({ authorization_codes: 3, sign_ins: 1, sessions: 0 });

      // The live sign-in still signs in with SSO, and its session still refreshes.
      expect((await exchange(svc, app, await ssoCode(live.browser, app, live.p), live.p)).statusCode).toBe(
        200,
      );

      // The browser's sign-in expires (12 hours) before its grant sessions: it is kept while they live,
      // and their refreshes still work.
      svc.clock.advance(13 * 3600);
      const mid = await purge(svc.storage, options(svc.clock.now()));
      expect(failures(mid)).toEqual([]);
      expect(deleted(mid)).toMatchObject({ authorization_codes: 1, sign_ins: 0, sessions: 0 });
      const refreshed = await tokenRequest(svc.app, {
        grant_type: 'refresh_token',
        refresh_token: liveTokens.json().refresh_token,
        client_id: app.clientId,
      });
      expect(refreshed.statusCode).toBe(200);

      // Everything expires: sessions, refresh tokens, codes and sign-ins all go, and a run finds nothing.
      svc.clock.advance(40 * DAY);
      const last = await purge(svc.storage, options(svc.clock.now()));
      expect(failures(last)).toEqual([]);
      expect(deleted(last)).toMatchObject({ sessions: 2, authorization_codes: 0, sign_ins: 1 });
      const again = await purge(svc.storage, options(svc.clock.now()));
      expect(Object.values(deleted(again)).every((n) => n === 0)).toBe(true);
    },
  );

  it.skipIf(skip)(
    'keeps at most the newest unexchanged codes of a sign-in, however often it asks',
    async () => {
      const { browser, code: firstCode, p } = await signIn(svc, app);
      const codes = [firstCode];
      for (let i = 0; i < 3 * UNEXCHANGED_CODES_PER_SIGN_IN; i++) {
        svc.clock.advance(1);
        codes.push(await ssoCode(browser, app, p));
      }
      // The oldest were dropped: exchanging one is invalid_grant, as an unknown code is.
      const oldest = await exchange(svc, app, codes[0] as string, p);
      expect(oldest.statusCode).toBe(400);
      expect(oldest.json().error).toBe('invalid_grant');
      const dropped = codes.length - UNEXCHANGED_CODES_PER_SIGN_IN - 1;
      expect((await exchange(svc, app, codes[dropped] as string, p)).json().error).toBe('invalid_grant');
      // The newest are all still exchangeable.
      for (const kept of codes.slice(-UNEXCHANGED_CODES_PER_SIGN_IN)) {
        expect((await exchange(svc, app, kept, p)).statusCode).toBe(200);
      }
      // What the table held: exactly the bound (all exchanged now), purged once expired.
      svc.clock.advance(120);
      const report = await purge(svc.storage, options(svc.clock.now()));
      expect(report['authorization_codes']).toEqual({ deleted: UNEXCHANGED_CODES_PER_SIGN_IN });
    },
  );
});

describe('a purger that fails', () => {
  const metrics = createServiceMetrics();
  const lines: string[] = [];
  let svc: TestService;
  const SECRET_LOOKING = 'sess-4f1c2a';
  beforeAll(async () => {
    // The scheduled purge's timer, moved by hand; nothing else is faked.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    svc = await startTestService({
      metrics,
      logger: { stream },
      env: { CXAUTH_PURGE_INTERVAL_SECONDS: '60' },
      // The sessions purge fails as the foreign key did, with a driver detail that must not be logged.
      wrapStorage: (storage) => ({
        ...storage,
        purge: {
          ...storage.purge,
          sessions: async () => {
            throw Object.assign(new Error('FOREIGN KEY constraint failed'), {
              detail: `Key (id)=(${SECRET_LOOKING}) is still referenced`,
            });
          },
        },
      }),
    });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await svc?.close();
  });

  const failuresOf = async (kind: string) => {
    const text = await metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`cxauth_purge_failures_total{kind="${kind}"}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  /** Fires the purge timer once and waits (on real time, bounded) until the run has told its outcome. */
  const tick = async (until: () => Promise<boolean>) => {
    vi.advanceTimersByTime(60_000);
    for (let i = 0; i < 200 && !(await until()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('is logged without its detail and counted, the others still run, and it is tried again', async () => {
    expect(await failuresOf('sessions')).toBe(0);
    const now = svc.clock.now().getTime();
    await svc.storage.auditEvents.append([
      {
        id: 'ancient',
        at: new Date(now - 100 * DAY * 1000),
        type: 'grant.refused',
        actor: null,
        subject: null,
        tenantId: null,
        address: null,
        details: {},
      },
    ]);
    await tick(async () => lines.some((l) => l.includes('purge finished')));

    expect(await failuresOf('sessions')).toBe(1);
    expect(await failuresOf('refresh_tokens')).toBe(0);
    expect(await failuresOf('audit_events')).toBe(0);
    // A kind after the failing one ran: the old event is gone.
    expect((await svc.storage.auditEvents.list()).map((e) => e.id)).not.toContain('ancient');
    const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'purge of one kind failed');
    expect(failed).toMatchObject({ level: 50, kind: 'sessions', error: 'FOREIGN KEY constraint failed' });
    const finished = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'purge finished');
    expect(finished.purged.sessions).toEqual({ deleted: 0, failed: 'FOREIGN KEY constraint failed' });
    expect(finished.purged.audit_events).toEqual({ deleted: 1 });
    expect(lines.join('\n')).not.toContain(SECRET_LOOKING);

    // The next run tries it again (and counts it again).
    await tick(async () => (await failuresOf('sessions')) === 2);
    expect(await failuresOf('sessions')).toBe(2);
  });
});
