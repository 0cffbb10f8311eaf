// Tenant repository.
import type { Kysely } from 'kysely';
import type { Status, Tenant } from '../../../domain/types.js';
import type { TenantRepository } from '../../contract/tenants.js';
import { changing, withRevision } from '../revision/queries.js';
import { recordRevocations } from '../revocations/record.js';
import { constrained } from '../rows.js';
import type { Database } from '../schema.js';
import { tenantRow } from './table.js';

export function tenantRepository(db: Kysely<Database>): TenantRepository {
  /** Turns one of a tenant's switches on or off, growing the revision; false when no such tenant. */
  const setFlag = (
    id: string,
    flag: 'sso_required' | 'email_verification_required' | 'access_key_self_service',
    on: boolean,
    at: Date,
  ) =>
    changing(db, async (trx) => {
      const result = await trx
        .updateTable('tenants')
        .set({ [flag]: on ? 1 : 0, updated_at: at.getTime() })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  return {
    async create(tenant: Tenant) {
      await constrained(`tenant ${tenant.id} / name "${tenant.name}"`, () =>
        withRevision(db, (trx) => trx.insertInto('tenants').values(tenantRow.to(tenant)).execute()),
      );
    },
    async get(id) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? tenantRow.from(row) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(tenantRow.from);
    },
    async setStatus(id, status: Status, at) {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('tenants')
          .set({ status, updated_at: at.getTime() })
          .where('id', '=', id)
          .executeTakeFirst();
        const changed = result.numUpdatedRows > 0n;
        // Deactivation reaches regional verifiers through the feed (docs/revocation.md).
        if (changed && status === 'inactive')
          await recordRevocations(trx, [{ kind: 'tenant', value: id, at }]);
        return changed;
      });
    },
    setSsoRequired: (id, on, at) => setFlag(id, 'sso_required', on, at),
    setEmailVerificationRequired: (id, on, at) => setFlag(id, 'email_verification_required', on, at),
    setAccessKeySelfService: (id, on, at) => setFlag(id, 'access_key_self_service', on, at),
    async setPasswordMinLength(id, length, at) {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('tenants')
          .set({ password_min_length: length, updated_at: at.getTime() })
          .where('id', '=', id)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },
  };
}
