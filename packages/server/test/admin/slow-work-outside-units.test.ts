// What takes long in an admin call is done before its unit of work opens: a password's memory-hard hash
// (tens of ms) and a new signing key pair (up to hundreds of ms). On SQLite a unit holds the one
// connection, so every other request's read and write on the node waits while it is open; hashing or
// generating inside it stalled them all that long.
import { AsyncResource } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admin, audited, createAdminService } from '../../src/admin/service/admin.js';
import { TOKEN_DEFAULTS } from '../../src/config/tokens.js';
import { keyTiming } from '../../src/keys/states.js';
import { createAudit } from '../../src/observability/audit.js';
import type { Storage } from '../../src/storage/contract/index.js';
import { type Actor, ADMIN_APP, actor, call, role } from '../support/admin.js';
import { startTestService, type TestService } from '../support/service.js';

describe('a password set through the admin API (SQLite)', () => {
  let svc: TestService;
  let admin: Actor;
  /** Set by the test: what runs once the tenant was read, i.e. while the password is being hashed. */
  let afterTenantRead: (() => void) | undefined;
  const order: string[] = [];
  beforeAll(async () => {
    svc = await startTestService({
      application: ADMIN_APP,
      wrapStorage: (storage) => ({
        ...storage,
        tenants: {
          ...storage.tenants,
          get: async (...args) => {
            const tenant = await storage.tenants.get(...args);
            const next = afterTenantRead;
            afterTenantRead = undefined;
            next?.();
            return tenant;
          },
        },
        signIn: {
          ...storage.signIn,
          setPassword: (...args) => {
            order.push('password stored');
            return storage.signIn.setPassword(...args);
          },
        },
      }),
    });
    admin = await actor(svc, svc.fixture.tenant, { role: role('Administrator') });
  });
  afterAll(async () => svc?.close());

  it('lets another request use the database while the password is hashed', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    // Bound here, outside any unit: the read is another request's, not part of the password's unit.
    const otherRequest = AsyncResource.bind(() => {
      setImmediate(
        AsyncResource.bind(() => {
          void svc.storage.users.get(svc.fixture.user.id).then(() => order.push('other request read'));
        }),
      );
    });
    // The service reads the user's tenant (for its policy) right before it hashes: arm the read then.
    const arm = () => {
      afterTenantRead = () => {
        if (order.length === 0) otherRequest();
      };
    };
    arm();
    const res = await call(svc, admin, 'POST', `/users/${user.id}/password`, {
      password: 'a-long-enough-passphrase-7',
    });
    expect(res.statusCode, res.body).toBe(204);
    // With the hash inside the unit, the read waited for its commit: it came after the store.
    expect(order).toEqual(['other request read', 'password stored']);
    const events = await svc.storage.auditEvents.list({ type: 'user.password_set', limit: 10 });
    expect(events.map((e) => e.subject)).toContain(`user:${user.id}`);
  });

  it('still refuses a password the policy refuses, and stores nothing', async () => {
    const user = await svc.addUser(svc.fixture.tenant);
    order.length = 0;
    const res = await call(svc, admin, 'POST', `/users/${user.id}/password`, { password: 'short' });
    expect(res.statusCode).toBe(400);
    expect(order).toEqual([]);
  });
});

describe('the audited admin service prepares slow work outside the unit', () => {
  let svc: TestService;
  let unitOpen = false;
  const seen: { step: string; inUnit: boolean }[] = [];
  let admin: Admin;
  beforeAll(async () => {
    svc = await startTestService();
    const storage: Storage = svc.storage;
    const service = createAdminService(storage, svc.hasher, () => svc.clock.now(), {
      signing: {
        kek: svc.kek,
        alg: 'RS256',
        timing: keyTiming({ ...TOKEN_DEFAULTS, jwksMaxAge: 300, keyReloadMs: 60_000 }),
      },
    });
    const watched: Admin = {
      ...service,
      prepareSigningKey: async () => {
        seen.push({ step: 'generate key pair', inUnit: unitOpen });
        return service.prepareSigningKey();
      },
      preparePassword: async (...args) => {
        seen.push({ step: 'hash password', inUnit: unitOpen });
        return service.preparePassword(...args);
      },
      rotateSigningKey: async (...args) => {
        seen.push({ step: 'store key', inUnit: unitOpen });
        return service.rotateSigningKey(...args);
      },
      setPassword: async (...args) => {
        seen.push({ step: 'store password', inUnit: unitOpen });
        return service.setPassword(...args);
      },
    };
    const audit = createAudit({
      store: storage.auditEvents,
      atomically: (work, options) =>
        storage.atomically(async () => {
          unitOpen = true;
          try {
            return await work();
          } finally {
            unitOpen = false;
          }
        }, options),
    });
    admin = audited(watched, audit, 'cli');
  });
  afterAll(async () => svc?.close());

  it('generates a rotation key pair before the unit, and stores that very key inside it', async () => {
    seen.length = 0;
    const before = new Set((await admin.listSigningKeys()).items.map((k) => k.kid));
    const made = await admin.rotateSigningKey();
    expect(seen).toEqual([
      { step: 'generate key pair', inUnit: false },
      { step: 'store key', inUnit: true },
    ]);
    expect(before.has(made.kid)).toBe(false);
    const events = await svc.storage.auditEvents.list({ type: 'signing_key.rotated', limit: 10 });
    expect(events.map((e) => e.subject)).toContain(`signing_key:${made.kid}`);
  });

  it('hashes a password before the unit, and checks the policy again inside it', async () => {
    seen.length = 0;
    const user = await svc.addUser(svc.fixture.tenant);
    await admin.setPassword(user.id, 'another-long-passphrase-9');
    expect(seen).toEqual([
      { step: 'hash password', inUnit: false },
      { step: 'store password', inUnit: true },
    ]);
    // A tenant minimum raised between the hash and the store refuses it.
    const prepared = await admin.preparePassword(user.id, 'twelve-chars');
    await svc.storage.tenants.setPasswordMinLength(svc.fixture.tenant.id, 20, svc.clock.now());
    await expect(admin.setPassword(user.id, prepared)).rejects.toThrow(/at least 20 characters/);
    // And a password prepared for one user is never stored for another.
    const other = await svc.addUser(svc.fixture.tenant);
    const long = await admin.preparePassword(user.id, 'a-passphrase-of-twenty-four');
    await expect(admin.setPassword(other.id, long)).rejects.toThrow(/another user/);
  });
});
