// Access-key self-service per tenant and who switched a key off: a tenant's Administrators may stop
// its users from creating access keys for themselves, and a key an Administrator (or operator)
// deactivated stays off for its owner (docs/admin-api.md, "Access keys: who may create them").
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function accessKeyControl(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('tenants')
        .addColumn('access_key_self_service', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      // `owner` or `administrator` while the key is inactive; null while it is active.
      await db.schema.alterTable('access_keys').addColumn('deactivated_by', 'text').execute();
    },
  };
}
