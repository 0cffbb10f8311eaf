// The device-authorization repository on both databases (RFC 8628): codes found by their keyed hashes,
// the poll interval raised atomically by slow_down, one answer and one claim of concurrent ones, the
// user code unique, and the purge of expired requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashUserCode, mintDeviceAuthorization, normalizeUserCode } from '../src/tokens/device-code.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('device authorizations (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  const mint = () =>
    mintDeviceAuthorization(svc.hasher, {
      clientId: svc.fixture.clientId,
      scope: 'openid',
      now: svc.clock.now(),
    });
  const approval = () => ({
    userId: svc.fixture.user.id,
    tenantId: svc.fixture.tenant.id,
    signInId: 'sign-in-1',
    authTime: svc.clock.now(),
    amr: ['pwd' as const],
  });

  it('finds a request by either code and refuses a taken user code', async () => {
    const repo = svc.storage.deviceAuthorizations;
    const m = mint();
    expect(await repo.create(m.record)).toBe(true);
    const byUser = await repo.byUserCode(hashUserCode(svc.hasher, normalizeUserCode(m.userCode) as string));
    expect(byUser?.id).toBe(m.record.id);
    expect((await repo.byDeviceCode(svc.hasher.hash(m.deviceCode)))?.status).toBe('pending');
    const clash = mint();
    expect(await repo.create({ ...clash.record, userCodeHash: m.record.userCodeHash })).toBe(false);
  });

  it('raises the interval by the penalty on each poll that comes too soon', async () => {
    const repo = svc.storage.deviceAuthorizations;
    const { record } = mint();
    await repo.create(record);
    const at = (s: number) => new Date(record.createdAt.getTime() + s * 1000);
    expect(await repo.poll(record.id, at(0), 5)).toEqual({ outcome: 'in_time' });
    expect(await repo.poll(record.id, at(1), 5)).toEqual({ outcome: 'slow_down', interval: 10 });
    expect(await repo.poll(record.id, at(11), 5)).toEqual({ outcome: 'in_time' });
  });

  it('takes one answer and one claim, never after expiry', async () => {
    const repo = svc.storage.deviceAuthorizations;
    const { record } = mint();
    await repo.create(record);
    const now = svc.clock.now();
    const answers = await Promise.all([repo.approve(record.id, approval(), now), repo.deny(record.id, now)]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    const answered = await repo.get(record.id);
    if (answered?.status === 'approved') {
      expect(answered.approval).toMatchObject({ userId: svc.fixture.user.id, amr: ['pwd'] });
      const claims = await Promise.all([repo.claim(record.id, 's1', now), repo.claim(record.id, 's2', now)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await repo.get(record.id))?.status).toBe('used');
    } else {
      expect(answered?.status).toBe('denied');
      expect(await repo.claim(record.id, 's1', now)).toBe(false);
    }
    const late = mint().record;
    await repo.create(late);
    expect(await repo.approve(late.id, approval(), late.expiresAt)).toBe(false);
  });

  it('purges what expired, answered or not', async () => {
    const repo = svc.storage.deviceAuthorizations;
    const { record } = mint();
    await repo.create(record);
    expect(await repo.purgeExpired(new Date(record.expiresAt.getTime() + 1000), 1000)).toBeGreaterThanOrEqual(
      1,
    );
    expect(await repo.get(record.id)).toBeUndefined();
  });
});
