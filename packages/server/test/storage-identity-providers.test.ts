// The identity-provider repository on SQLite and on PostgreSQL (docs/sso.md): round trip with the
// sealed secret and claimed domains, domains unique per tenant, lookup by domain confined to a tenant,
// links of (IdP, subject), a user created with its link in one transaction, pending requests taken
// once and purged once expired, sign-ins remembering their IdP, tenants' sso_required.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityProvider } from '../src/domain/identity-providers.js';
import { OIDC_ATTRIBUTES } from '../src/domain/identity-providers.js';
import { openStorage, StorageConstraintError } from '../src/index.js';
import type { Storage } from '../src/storage/contract/index.js';
import { pgUnavailable, type TestDatabase, tempPostgres, tempSqlite } from './support/storage-db.js';
import * as f from './support/storage-factories.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`storage-identity-providers.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

const dialects = [
  { name: 'sqlite', make: async () => tempSqlite(), skip: false },
  { name: 'postgres', make: tempPostgres, skip: pgMissing !== undefined },
];

const idp = (tenantId: string, o: Partial<IdentityProvider> = {}): IdentityProvider => ({
  id: crypto.randomUUID(),
  tenantId,
  kind: 'oidc',
  name: 'Acme',
  enabled: true,
  domains: ['acme.test'],
  defaultRole: 'Agent',
  attributes: OIDC_ATTRIBUTES,
  oidc: { issuer: 'https://idp.acme.test', clientId: 'cxauth', scopes: ['openid', 'email'] },
  saml: null,
  secretSealed: Buffer.from('sealed'),
  createdAt: f.T0,
  updatedAt: f.T0,
  ...o,
});

describe.each(dialects)('identity providers on $name', ({ make, skip }) => {
  let db: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    if (skip) return;
    db = await make();
    storage = await openStorage(db.url);
    await storage.migrate();
    await storage.areas.upsert(f.area());
  });
  afterAll(async () => {
    if (skip) return;
    await storage?.close();
    await db?.drop();
  });

  describe.skipIf(skip)('', () => {
    it('round trip, domains unique per tenant, lookup by domain within a tenant, update, delete', async () => {
      const a = f.tenant();
      const b = f.tenant();
      await storage.tenants.create(a);
      await storage.tenants.create(b);
      const one = idp(a.id, { domains: ['acme.test', 'acme.example'] });
      await storage.identityProviders.create(one);
      expect(await storage.identityProviders.get(one.id)).toEqual({
        ...one,
        domains: ['acme.example', 'acme.test'],
      });
      await expect(storage.identityProviders.create(idp(a.id))).rejects.toBeInstanceOf(
        StorageConstraintError,
      );
      // Another tenant may claim the same domain: the page then routes only with a tenant hint.
      const other = idp(b.id);
      await storage.identityProviders.create(other);
      expect((await storage.identityProviders.byDomain('ACME.test', a.id)).map((i) => i.id)).toEqual([
        one.id,
      ]);
      expect((await storage.identityProviders.byDomain('acme.test')).map((i) => i.id).sort()).toEqual(
        [one.id, other.id].sort(),
      );
      expect(await storage.identityProviders.anyEnabled(a.id)).toBe(true);
      expect(await storage.identityProviders.update({ ...one, enabled: false, domains: ['new.test'] })).toBe(
        true,
      );
      expect(await storage.identityProviders.byDomain('acme.test', a.id)).toEqual([]);
      expect(await storage.identityProviders.byDomain('new.test', a.id)).toEqual([]);
      expect(await storage.identityProviders.anyEnabled(a.id)).toBe(false);
      // An update through another tenant changes nothing.
      expect(await storage.identityProviders.update({ ...other, tenantId: a.id, name: 'x' })).toBe(false);
      expect(await storage.identityProviders.delete(a.id, other.id)).toBe(false);
      expect((await storage.identityProviders.list(a.id)).map((i) => i.id)).toEqual([one.id]);
      expect(await storage.identityProviders.delete(a.id, one.id)).toBe(true);
      expect(await storage.identityProviders.get(one.id)).toBeUndefined();
    });

    it('links subjects to users, and creates a user with its link at once', async () => {
      const t = f.tenant();
      await storage.tenants.create(t);
      const p = idp(t.id, { domains: [] });
      await storage.identityProviders.create(p);
      const u = f.user(t.id);
      await storage.identityProviders.createLinkedUser(u, {
        idpId: p.id,
        subject: 'sub-1',
        userId: u.id,
        tenantId: t.id,
        createdAt: f.T0,
      });
      expect(await storage.users.get(u.id)).toEqual(u);
      expect(await storage.identityProviders.linkedUser(p.id, 'sub-1')).toBe(u.id);
      const again = f.user(t.id);
      await expect(
        storage.identityProviders.createLinkedUser(again, {
          idpId: p.id,
          subject: 'sub-1',
          userId: again.id,
          tenantId: t.id,
          createdAt: f.T0,
        }),
      ).rejects.toBeInstanceOf(StorageConstraintError);
      // Nothing of the failed one stays.
      expect(await storage.users.get(again.id)).toBeUndefined();
      expect(
        await storage.identityProviders.link({
          idpId: p.id,
          subject: 'sub-1',
          userId: again.id,
          tenantId: t.id,
          createdAt: f.T0,
        }),
      ).toBe(false);
      expect(await storage.identityProviders.linkedUser(p.id, 'unknown')).toBeUndefined();
    });

    it('takes a pending request once, refuses it expired, purges the expired', async () => {
      const stateHash = crypto.randomBytes(32);
      const request = {
        stateHash,
        idpId: 'i',
        payloadSealed: Buffer.from('p'),
        createdAt: f.T0,
        expiresAt: f.later(600_000),
      };
      await storage.identityProviders.createRequest(request);
      expect(await storage.identityProviders.takeRequest(stateHash, f.later(1000))).toEqual(request);
      expect(await storage.identityProviders.takeRequest(stateHash, f.later(1000))).toBeUndefined();
      const late = { ...request, stateHash: crypto.randomBytes(32) };
      await storage.identityProviders.createRequest(late);
      expect(await storage.identityProviders.takeRequest(late.stateHash, f.later(600_000))).toBeUndefined();
      await storage.identityProviders.createRequest({ ...request, stateHash: crypto.randomBytes(32) });
      expect(await storage.identityProviders.purgeExpired(f.later(700_000), 100)).toBeGreaterThanOrEqual(1);
      expect(await storage.identityProviders.purgeExpired(f.later(700_000), 100)).toBe(0);
    });

    it('records a SAML assertion id once, and purges it when its time passed', async () => {
      expect(await storage.identityProviders.recordAssertion('idp-a', '_a1', f.later(1000))).toBe(true);
      expect(await storage.identityProviders.recordAssertion('idp-a', '_a1', f.later(1000))).toBe(false);
      expect(await storage.identityProviders.recordAssertion('idp-b', '_a1', f.later(1000))).toBe(true);
      expect(await storage.identityProviders.purgeAssertions(f.later(500), 100)).toBe(0);
      expect(await storage.identityProviders.purgeAssertions(f.later(2000), 100)).toBe(2);
      expect(await storage.identityProviders.recordAssertion('idp-a', '_a1', f.later(3000))).toBe(true);
    });

    it("keeps a sign-in's IdP and a tenant's sso_required", async () => {
      const t = f.tenant();
      await storage.tenants.create(t);
      expect(await storage.tenants.setSsoRequired(t.id, true, f.later(1))).toBe(true);
      expect((await storage.tenants.get(t.id))?.ssoRequired).toBe(true);
      expect(await storage.tenants.setSsoRequired('00000000-0000-0000-0000-000000000000', true, f.T0)).toBe(
        false,
      );
      const u = f.user(t.id);
      await storage.users.create(u);
      const signIn = {
        id: crypto.randomUUID(),
        tokenHash: crypto.randomBytes(32),
        userId: u.id,
        tenantId: t.id,
        authTime: f.T0,
        amr: ['hwk' as const],
        idp: 'idp-1',
        createdAt: f.T0,
        expiresAt: f.later(3_600_000),
        endedAt: null,
      };
      await storage.signIn.openSignIn(signIn);
      expect(await storage.signIn.signIn(signIn.id)).toEqual(signIn);
      await storage.signIn.reauthenticate(signIn.id, f.later(5), ['pwd']);
      expect((await storage.signIn.signIn(signIn.id))?.idp).toBeUndefined();
    });
  });
});
