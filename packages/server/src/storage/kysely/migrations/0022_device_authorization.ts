// RFC 8628 device authorization: the `device_authorizations` table. The device code and the user code
// are stored only as keyed hashes, each unique; no foreign keys, so that deleting an application or a
// user never waits on a request that expires within minutes (maintenance/purge.ts removes it).
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function deviceAuthorization(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('device_authorizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_code_hash', bytes, (c) => c.notNull().unique())
        .addColumn('user_code_hash', bytes, (c) => c.notNull().unique())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('resource', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('poll_interval', 'integer', (c) => c.notNull())
        .addColumn('last_polled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('user_tenant_id', 'text')
        .addColumn('sign_in_id', 'text')
        .addColumn('auth_time', 'bigint')
        .addColumn('amr', 'text')
        .addColumn('answered_at', 'bigint')
        .addColumn('session_id', 'text')
        .execute();
      await db.schema
        .createIndex('device_authorizations_expires')
        .on('device_authorizations')
        .column('expires_at')
        .execute();
    },
  };
}
