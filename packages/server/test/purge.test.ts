// Bounded storage (docs/operations.md "Purge"): the purge removes ended sessions, expired refresh
// tokens and old audit events in batches, leaves everything live, and runs on two nodes at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_DEFAULTS } from '../src/config/retention.js';
import { THROTTLE_DEFAULTS } from '../src/config/throttling.js';
import { TOKEN_DEFAULTS } from '../src/config/tokens.js';
import { purge } from '../src/maintenance/purge.js';
import type { Storage } from '../src/storage/contract/index.js';
import { openStorage } from '../src/storage/open.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';
import * as make from './support/storage-factories.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`purge on PostgreSQL skipped: ${pgReason}`);

const DAY = 86_400_000;
const options = (now: Date) => ({
  retention: { ...RETENTION_DEFAULTS, purgeBatchSize: 10 },
  throttling: THROTTLE_DEFAULTS,
  tokens: TOKEN_DEFAULTS,
  now,
});

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('purge (%s)', (_label, dialect, skip) => {
  let svc: TestService;
  let other: Storage;
  beforeAll(async () => {
    if (skip) return;
    svc = await startTestService({ dialect });
    other = await openStorage(svc.config.databaseUrl);
  });
  afterAll(async () => {
    await other?.close();
    await svc?.close();
  });

  it.skipIf(skip)(
    'leaves live sessions and removes the rest, on two nodes at once without error',
    async () => {
      const { storage, fixture } = svc;
      const now = svc.clock.now();
      const at = (ms: number) => new Date(now.getTime() + ms);
      const open = async (session: Partial<Parameters<typeof make.session>[2]>, token = {}) => {
        const s = make.session(fixture.app, fixture.user, { createdAt: at(-40 * DAY), ...session });
        const t = make.refreshToken(s.id, { createdAt: at(-DAY), expiresAt: at(DAY), ...token });
        await storage.sessions.create(s, t);
        return { session: s, token: t };
      };
      const live = await open({ expiresAt: at(10 * DAY) });
      // A live session whose first token was rotated long ago and has expired: only that token goes.
      const rotated = await open({ expiresAt: at(10 * DAY) }, { expiresAt: at(-DAY) });
      const next = make.refreshToken(rotated.session.id, { expiresAt: at(DAY) });
      await storage.sessions.rotate(rotated.token.tokenHash, next, at(-2 * DAY));
      // Used but unexpired: kept, so presenting it again is still detected as reuse.
      const reusable = await open({ expiresAt: at(10 * DAY) }, { usedAt: at(-1000) });
      const ended: string[] = [];
      for (let i = 0; i < 25; i++) ended.push((await open({ expiresAt: at(-1000) })).session.id);
      ended.push(
        (await open({ expiresAt: at(DAY), revokedAt: at(-1000), revokedReason: 'logout' })).session.id,
      );
      await storage.auditEvents.append([
        {
          id: 'old',
          at: at(-100 * DAY),
          type: 'grant.refused',
          actor: null,
          subject: null,
          tenantId: null,
          address: null,
          details: {},
        },
        {
          id: 'new',
          at: at(-DAY),
          type: 'grant.refused',
          actor: null,
          subject: null,
          tenantId: null,
          address: null,
          details: {},
        },
      ]);

      const [a, b] = await Promise.all([purge(storage, options(now)), purge(other, options(now))]);
      const total = (name: string) => (a[name]?.deleted ?? 0) + (b[name]?.deleted ?? 0);
      expect(total('sessions')).toBe(26);
      expect(total('refresh_tokens')).toBe(27);
      expect(total('audit_events')).toBe(1);

      for (const id of ended) expect(await storage.sessions.get(id)).toBeUndefined();
      for (const s of [live, rotated, reusable])
        expect(await storage.sessions.get(s.session.id)).toBeDefined();
      expect(await storage.sessions.findRefreshToken(live.token.tokenHash)).toBeDefined();
      expect(await storage.sessions.findRefreshToken(reusable.token.tokenHash)).toBeDefined();
      expect(await storage.sessions.findRefreshToken(next.tokenHash)).toBeDefined();
      expect(await storage.sessions.findRefreshToken(rotated.token.tokenHash)).toBeUndefined();
      expect((await storage.auditEvents.list()).map((e) => e.id)).toEqual(['new']);
      // Nothing left: a second run deletes nothing.
      expect(
        Object.values(await purge(storage, options(now))).every((o) => o.deleted === 0 && !o.failed),
      ).toBe(true);
    },
  );

  it.skipIf(skip)('removes the consents of a deleted application and keeps those of a live one', async () => {
    const { storage, fixture } = svc;
    const now = svc.clock.now();
    const gone = make.application({ firstParty: false });
    await storage.applications.create(gone);
    const consent = (clientId: string) => ({
      userId: fixture.user.id,
      clientId,
      scopes: ['openid'],
      createdAt: now,
      updatedAt: now,
    });
    await storage.consents.put(consent(gone.clientId));
    await storage.consents.put(consent(fixture.app.clientId));
    expect(await storage.applications.delete(gone.clientId, now)).toBe(true);

    const report = await purge(storage, options(now));
    expect(report['consents']).toEqual({ deleted: 1 });
    expect(await storage.consents.get(fixture.user.id, gone.clientId)).toBeUndefined();
    expect(await storage.consents.get(fixture.user.id, fixture.app.clientId)).toBeDefined();
  });
});
