// E-mail verification at sign-in (docs/people.md#e-mail-verification-at-sign-in): a tenant may require
// that its people show they read mail at their address before they get a code; the mailed link's token
// is stored only as a keyed hash, spent once by one atomic update, with the sign-in it may continue
// (sealed, for the browser that started it). Expired invitations and links are purged.
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function emailVerification(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('tenants')
        .addColumn('email_verification_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('email_verifications')
        .addColumn('token_hash', bytes, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        // The keyed hash of the browser that signed in, and its sealed sign-in (null: none to continue).
        .addColumn('browser_hash', bytes)
        .addColumn('sign_in', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('email_verifications_expiry')
        .on('email_verifications')
        .column('expires_at')
        .execute();
      await db.schema.createIndex('invitations_expiry').on('invitations').column('expires_at').execute();
    },
  };
}
