// The admin API's columns: a user's platform-operator flag, and an application's previous client
// secret with the end of its overlap, so a rotated secret keeps working until its apps have rolled
// (docs/admin-api.md, "Rotating a client secret").
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function admin(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('users')
        .addColumn('is_operator', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('applications').addColumn('previous_secret_hash', bytes).execute();
      await db.schema.alterTable('applications').addColumn('previous_secret_expires_at', 'bigint').execute();
      await db.schema.createIndex('sessions_tenant_id').on('sessions').column('tenant_id').execute();
    },
  };
}
