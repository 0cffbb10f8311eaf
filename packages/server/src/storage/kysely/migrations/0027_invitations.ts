// Invitations (docs/people.md): an administrator invites an e-mail to a tenant with a role; the mailed
// link is single-use, expires, and is stored only as a keyed hash of its token. Users get `email_verified`.
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function invitations(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', bytes, (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      // Whether the user's e-mail was shown to be theirs (OIDC Core §5.1 `email_verified`): an
      // accepted invitation or a reset through a mailed link shows it. Existing users: not yet.
      await db.schema
        .alterTable('users')
        .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('invitations_tenant')
        .on('invitations')
        .columns(['tenant_id', 'created_at'])
        .execute();
    },
  };
}
