// E-mail verification's storage on both databases (docs/people.md): a tenant's
// `email_verification_required` switch, a verification link spent once (of concurrent spends, one wins)
// and never after it expired, a user's other links spent with it, `email_verified` set with the
// revision grown (cached views read it again), and the purge of expired invitations and of expired or
// spent links, leaving every live one.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_DEFAULTS } from '../src/config/retention.js';
import { THROTTLE_DEFAULTS } from '../src/config/throttling.js';
import { TOKEN_DEFAULTS } from '../src/config/tokens.js';
import { purge } from '../src/maintenance/purge.js';
import type { EmailVerification, Invitation } from '../src/storage/contract/index.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);
const HOUR = 3_600_000;

describe.each(dialects)('e-mail verification storage (%s)', (dialect) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dialect });
  });
  afterAll(async () => svc?.close());

  const link = (userId: string, at: Date, o: Partial<EmailVerification> = {}): EmailVerification => ({
    tokenHash: crypto.randomBytes(32),
    userId,
    tenantId: svc.fixture.tenant.id,
    browserHash: crypto.randomBytes(32),
    signIn: 'sealed sign-in',
    createdAt: at,
    expiresAt: new Date(at.getTime() + HOUR),
    usedAt: null,
    ...o,
  });
  const invitation = (at: Date, expiresAt: Date): Invitation => ({
    id: crypto.randomUUID(),
    tokenHash: crypto.randomBytes(32),
    tenantId: svc.fixture.tenant.id,
    email: `i-${crypto.randomUUID()}@example.com`,
    role: 'Agent',
    invitedBy: 'cli',
    createdAt: at,
    expiresAt,
    usedAt: null,
    revokedAt: null,
  });

  it("keeps a tenant's email_verification_required, off by default, and grows the revision", async () => {
    const t = await svc.addTenant({ name: `ev-${crypto.randomUUID().slice(0, 8)}` });
    expect((await svc.storage.tenants.get(t.id))?.emailVerificationRequired).toBeUndefined();
    const before = await svc.storage.revision();
    expect(await svc.storage.tenants.setEmailVerificationRequired(t.id, true, svc.clock.now())).toBe(true);
    expect((await svc.storage.tenants.get(t.id))?.emailVerificationRequired).toBe(true);
    expect(await svc.storage.revision()).toBeGreaterThan(before);
    // The other switches are untouched.
    expect((await svc.storage.tenants.get(t.id))?.ssoRequired).toBeUndefined();
    expect(await svc.storage.tenants.setEmailVerificationRequired(t.id, false, svc.clock.now())).toBe(true);
    expect((await svc.storage.tenants.get(t.id))?.emailVerificationRequired).toBeUndefined();
    expect(
      await svc.storage.tenants.setEmailVerificationRequired(crypto.randomUUID(), true, svc.clock.now()),
    ).toBe(false);
  });

  it("spends a link once, never after it expired, and spends the user's other links with it", async () => {
    const repo = svc.storage.people;
    const now = svc.clock.now();
    const user = await svc.addUser(svc.fixture.tenant, { email: `v-${crypto.randomUUID()}@example.com` });
    const other = await svc.addUser(svc.fixture.tenant, { email: `w-${crypto.randomUUID()}@example.com` });
    const a = link(user.id, now);
    const b = link(user.id, now);
    const theirs = link(other.id, now);
    const late = link(user.id, now, { expiresAt: new Date(now.getTime() + 1000) });
    for (const l of [a, b, theirs, late]) await repo.createVerification(l);
    expect(await repo.getVerification(a.tokenHash)).toMatchObject({
      userId: user.id,
      signIn: 'sealed sign-in',
      usedAt: null,
    });
    expect((await repo.getVerification(a.tokenHash))?.browserHash?.equals(a.browserHash as Buffer)).toBe(
      true,
    );
    expect(await repo.useVerification(late.tokenHash, new Date(now.getTime() + 2000))).toBe(false);
    const spends = await Promise.all([
      repo.useVerification(a.tokenHash, now),
      repo.useVerification(a.tokenHash, now),
    ]);
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await repo.useVerification(a.tokenHash, now)).toBe(false);
    expect(await repo.endVerifications(user.id, now)).toBe(2);
    expect(await repo.useVerification(b.tokenHash, now)).toBe(false);
    expect(await repo.useVerification(theirs.tokenHash, now)).toBe(true);
  });

  it('marks the address verified and grows the revision once', async () => {
    const user = await svc.addUser(svc.fixture.tenant, { email: `m-${crypto.randomUUID()}@example.com` });
    expect((await svc.storage.users.get(user.id))?.emailVerified).toBeUndefined();
    const before = await svc.storage.revision();
    await svc.storage.people.markEmailVerified(user.id);
    expect((await svc.storage.users.get(user.id))?.emailVerified).toBe(true);
    const after = await svc.storage.revision();
    expect(after).toBeGreaterThan(before);
    // Already verified: nothing changes, every cache stays current.
    await svc.storage.people.markEmailVerified(user.id);
    expect(await svc.storage.revision()).toBe(after);
  });

  it('purges expired invitations and expired or spent links, and nothing live', async () => {
    const repo = svc.storage.people;
    const now = svc.clock.now();
    const past = new Date(now.getTime() - 2 * HOUR);
    const user = await svc.addUser(svc.fixture.tenant, { email: `p-${crypto.randomUUID()}@example.com` });
    const expiredInvitation = invitation(past, new Date(now.getTime() - HOUR));
    const liveInvitation = invitation(past, new Date(now.getTime() + HOUR));
    const usedLiveInvitation = { ...invitation(past, new Date(now.getTime() + HOUR)), usedAt: past };
    for (const i of [expiredInvitation, liveInvitation, usedLiveInvitation]) await repo.createInvitation(i);
    const expired = link(user.id, past, { expiresAt: new Date(now.getTime() - 1000) });
    const spent = link(user.id, past, { usedAt: past });
    const live = link(user.id, now);
    for (const l of [expired, spent, live]) await repo.createVerification(l);

    const report = await purge(svc.storage, {
      retention: { ...RETENTION_DEFAULTS, purgeBatchSize: 1 },
      throttling: THROTTLE_DEFAULTS,
      tokens: TOKEN_DEFAULTS,
      now,
    });
    expect(report['invitations']?.deleted).toBeGreaterThanOrEqual(1);
    expect(report['email_verifications']?.deleted).toBeGreaterThanOrEqual(2);
    expect(report['invitations']?.failed).toBeUndefined();
    expect(report['email_verifications']?.failed).toBeUndefined();
    expect(await repo.getInvitation(expiredInvitation.id)).toBeUndefined();
    expect(await repo.getInvitation(liveInvitation.id)).toBeDefined();
    // An accepted invitation is kept until it expires: the tenant's list shows it as accepted.
    expect(await repo.getInvitation(usedLiveInvitation.id)).toBeDefined();
    expect(await repo.getVerification(expired.tokenHash)).toBeUndefined();
    expect(await repo.getVerification(spent.tokenHash)).toBeUndefined();
    expect(await repo.getVerification(live.tokenHash)).toBeDefined();
    expect(await repo.useVerification(live.tokenHash, now)).toBe(true);
  });
});
