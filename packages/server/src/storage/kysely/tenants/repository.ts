// Tenant repository.
import type { Kysely } from 'kysely';
import type { Status, Tenant } from '../../domain/types.js';
import type { TenantRepository } from '../storage.js';
import { constrained, tenantRow } from './rows.js';
import type { Database } from './schema.js';

export function tenantRepository(db: Kysely<Database>): TenantRepository {
  return {
    async create(tenant: Tenant) {
      await constrained(`tenant ${tenant.id} / name "${tenant.name}"`, () =>
        db.insertInto('tenants').values(tenantRow.to(tenant)).execute(),
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
      const result = await db
        .updateTable('tenants')
        .set({ status, updated_at: at.getTime() })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
