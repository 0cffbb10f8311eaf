// The DPoP proofs the token endpoint accepted, on both databases (RFC 9449 §11.1): a proof is recorded
// once (of racing nodes exactly one wins), an
// application keeps whether it requires DPoP, and the purge removes proofs whose window has ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purge } from '../src/maintenance/purge.js';
import { DpopProofs } from '../src/tokens/dpop.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('DPoP storage (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  it('records a proof once, even when many nodes race with it', async () => {
    const repo = svc.storage.dpopProofs;
    const hash = svc.hasher.hash(`dpop-proof:k.${crypto.randomUUID()}`);
    const until = new Date(svc.clock.now().getTime() + 60_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => repo.remember(hash, until)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repo.remember(hash, until)).toBe(false);
  });

  it('purges the proofs whose window ended, and only those', async () => {
    const repo = svc.storage.dpopProofs;
    const now = svc.clock.now();
    const old = svc.hasher.hash(`old:${crypto.randomUUID()}`);
    const live = svc.hasher.hash(`live:${crypto.randomUUID()}`);
    await repo.remember(old, new Date(now.getTime() - 1000));
    await repo.remember(live, new Date(now.getTime() + 60_000));
    const report = await purge(svc.storage, {
      retention: svc.config.retention,
      throttling: svc.config.throttling,
      tokens: svc.config.tokens,
      now,
    });
    expect(report['dpop_proofs']?.deleted).toBeGreaterThanOrEqual(1);
    expect(await repo.remember(old, new Date(now.getTime() + 60_000))).toBe(true);
    expect(await repo.remember(live, new Date(now.getTime() + 60_000))).toBe(false);
  });

  it('keeps whether an application requires DPoP', async () => {
    const { app } = await svc.addApplication({ dpopBoundAccessTokens: true });
    expect((await svc.storage.applications.get(app.clientId))?.dpopBoundAccessTokens).toBe(true);
    const { app: plain } = await svc.addApplication();
    expect((await svc.storage.applications.get(plain.clientId))?.dpopBoundAccessTokens).toBeUndefined();
  });

  it('makes the same nonce on every node, and a new one each window', () => {
    const options = {
      config: { ...svc.config.dpop, nonce: true },
      tolerance: 5,
      store: svc.storage.dpopProofs,
    };
    const a = new DpopProofs({ ...options, hasher: svc.hasher });
    const b = new DpopProofs({ ...options, hasher: svc.hasher });
    const now = svc.clock.now();
    expect(a.nonce(now)).toBe(b.nonce(now));
    const later = new Date(now.getTime() + svc.config.dpop.nonceWindow * 1000);
    expect(a.nonce(later)).not.toBe(a.nonce(now));
  });
});
