// One e-mail address in many tenants (a consultant, an agency): each tenant's account is found by its
// own sign-in, however many tenants share the address, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPassword } from '../src/interaction/credentials.js';
import { hashPassword } from '../src/secrets/passwords.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);
const EMAIL = 'Shared@Agency.test';
const TENANTS = 22;

describe.each(dialects)('an e-mail address in %s shared by many tenants', (dialect) => {
  let svc: TestService;
  const accounts: { tenantId: string; userId: string; password: string }[] = [];
  beforeAll(async () => {
    svc = await startTestService({ dialect });
    // Two passwords: the newest account's, and the others' (a memory-hard hash each, made once).
    const passwords = ['correct horse battery staple', 'another tenant entirely'];
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await svc.addTenant({ name: `agency-client-${i}` });
      const user = await svc.addUser(tenant, {
        email: i % 2 ? EMAIL : EMAIL.toLowerCase(),
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      });
      const which = i === TENANTS - 1 ? 0 : 1;
      await svc.storage.signIn.setPassword(user.id, hashes[which] as string, svc.clock.now());
      accounts.push({ tenantId: tenant.id, userId: user.id, password: passwords[which] as string });
    }
  }, 120_000);
  afterAll(async () => svc?.close());

  it('finds the newest tenant’s account by its tenant, past the cap of the every-tenant lookup', async () => {
    const newest = accounts.at(-1) as (typeof accounts)[number];
    expect((await svc.storage.signIn.usersByEmail(EMAIL)).length).toBeLessThan(TENANTS);
    const inTenant = await svc.storage.signIn.usersByEmail(EMAIL.toUpperCase(), newest.tenantId);
    expect(inTenant.map((u) => u.id)).toEqual([newest.userId]);
  });

  it('signs the person into the hinted tenant with that tenant’s password, and no other', async () => {
    const newest = accounts.at(-1) as (typeof accounts)[number];
    const now = svc.clock.now();
    const ok = await checkPassword(svc.storage, {
      username: EMAIL,
      password: newest.password,
      tenantId: newest.tenantId,
      now,
    });
    expect(ok && 'user' in ok ? ok.user.id : ok).toBe(newest.userId);
    const other = accounts[0] as (typeof accounts)[number];
    const wrongTenant = await checkPassword(svc.storage, {
      username: EMAIL,
      password: other.password,
      tenantId: newest.tenantId,
      now,
    });
    expect(wrongTenant).toBeUndefined();
  });
});
