// Identity-provider repository (docs/sso.md): an IdP and its domains are written in one transaction;
// a pending request is taken by one DELETE … RETURNING, so a callback replayed (or raced) finds nothing.
import type { Kysely, Transaction } from 'kysely';
import type { IdentityProvider } from '../../../domain/identity-providers.js';
import type { IdentityProviderRepository } from '../../contract/identity-providers.js';
import { withRevision } from '../revision/queries.js';
import { constrained } from '../rows.js';
import type { Database } from '../schema.js';
import { userRow } from '../users/table.js';
import { identityRow, idpRow, requestRow } from './table.js';

export function identityProviderRepository(db: Kysely<Database>): IdentityProviderRepository {
  const withDomains = async (rows: Array<Parameters<typeof idpRow.from>[0]>) => {
    if (rows.length === 0) return [];
    const domains = await db
      .selectFrom('identity_provider_domains')
      .select(['idp_id', 'domain'])
      .where(
        'idp_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) =>
      idpRow.from(
        r,
        domains.filter((d) => d.idp_id === r.id).map((d) => d.domain),
      ),
    );
  };
  const writeDomains = async (trx: Transaction<Database>, idp: IdentityProvider) => {
    await trx.deleteFrom('identity_provider_domains').where('idp_id', '=', idp.id).execute();
    if (idp.domains.length === 0) return;
    await trx
      .insertInto('identity_provider_domains')
      .values(idp.domains.map((domain) => ({ tenant_id: idp.tenantId, domain, idp_id: idp.id })))
      .execute();
  };
  return {
    async create(idp) {
      await constrained(`an identity provider claiming one of ${idp.domains.join(', ')}`, () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('identity_providers').values(idpRow.to(idp)).execute();
          await writeDomains(trx, idp);
        }),
      );
    },
    async get(id) {
      const row = await db
        .selectFrom('identity_providers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? (await withDomains([row]))[0] : undefined;
    },
    async list(tenantId) {
      const rows = await db
        .selectFrom('identity_providers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return withDomains(rows);
    },
    async update(idp) {
      return constrained(`an identity provider claiming one of ${idp.domains.join(', ')}`, () =>
        db.transaction().execute(async (trx) => {
          const { id, tenant_id, created_at, ...changes } = idpRow.to(idp);
          const result = await trx
            .updateTable('identity_providers')
            .set(changes)
            .where('id', '=', id)
            .where('tenant_id', '=', tenant_id)
            .executeTakeFirst();
          if (result.numUpdatedRows === 0n) return false;
          await writeDomains(trx, idp);
          return true;
        }),
      );
    },
    async delete(tenantId, id) {
      return db.transaction().execute(async (trx) => {
        const found = await trx
          .selectFrom('identity_providers')
          .select('id')
          .where('id', '=', id)
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst();
        if (!found) return false;
        await trx.deleteFrom('identity_provider_domains').where('idp_id', '=', id).execute();
        await trx.deleteFrom('federated_identities').where('idp_id', '=', id).execute();
        await trx.deleteFrom('identity_providers').where('id', '=', id).execute();
        return true;
      });
    },
    async byDomain(domain, tenantId) {
      let q = db
        .selectFrom('identity_provider_domains as d')
        .innerJoin('identity_providers as p', 'p.id', 'd.idp_id')
        .selectAll('p')
        .where('d.domain', '=', domain.toLowerCase())
        .where('p.enabled', '=', 1);
      if (tenantId !== undefined) q = q.where('d.tenant_id', '=', tenantId);
      return withDomains(await q.orderBy('p.created_at').execute());
    },
    async anyEnabled(tenantId) {
      let q = db.selectFrom('identity_providers').select('id').where('enabled', '=', 1);
      if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
      return (await q.limit(1).executeTakeFirst()) !== undefined;
    },
    async linkedUser(idpId, subject) {
      const row = await db
        .selectFrom('federated_identities')
        .select('user_id')
        .where('idp_id', '=', idpId)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return row?.user_id;
    },
    async link(identity) {
      const result = await db
        .insertInto('federated_identities')
        .values(identityRow.to(identity))
        .onConflict((oc) => oc.columns(['idp_id', 'subject']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async createLinkedUser(user, identity) {
      await constrained(`a user with e-mail "${user.email}" in this tenant`, () =>
        withRevision(db, async (trx) => {
          await trx.insertInto('users').values(userRow.to(user)).execute();
          await trx.insertInto('federated_identities').values(identityRow.to(identity)).execute();
        }),
      );
    },
    async createRequest(request) {
      await db.insertInto('federation_requests').values(requestRow.to(request)).execute();
    },
    async takeRequest(stateHash, at) {
      const row = await db
        .deleteFrom('federation_requests')
        .where('state_hash', '=', stateHash)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const request = requestRow.from(row);
      return request.expiresAt > at ? request : undefined;
    },
    async recordAssertion(idpId, assertionId, expiresAt) {
      const result = await db
        .insertInto('saml_assertions')
        .values({ idp_id: idpId, assertion_id: assertionId, expires_at: expiresAt.getTime() })
        .onConflict((oc) => oc.columns(['idp_id', 'assertion_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async purgeAssertions(at, limit) {
      const rows = await db
        .selectFrom('saml_assertions')
        .select(['idp_id', 'assertion_id'])
        .where('expires_at', '<=', at.getTime())
        .limit(limit)
        .execute();
      let deleted = 0;
      for (const r of rows) {
        const result = await db
          .deleteFrom('saml_assertions')
          .where('idp_id', '=', r.idp_id)
          .where('assertion_id', '=', r.assertion_id)
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
    async purgeExpired(at, limit) {
      const rows = await db
        .selectFrom('federation_requests')
        .select('state_hash')
        .where('expires_at', '<=', at.getTime())
        .limit(limit)
        .execute();
      if (rows.length === 0) return 0;
      const result = await db
        .deleteFrom('federation_requests')
        .where(
          'state_hash',
          'in',
          rows.map((r) => r.state_hash),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
