// People signing in: password hashes and TOTP secrets per user, the browsers' sign-in sessions, the
// authorization codes, and the link from grant sessions to the sign-in that opened them.
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function signIn(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('user_credentials')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('password_hash', 'text')
        .addColumn('totp_secret_encrypted', bytes)
        .addColumn('totp_last_step', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sign_ins')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', bytes, (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('auth_time', 'bigint', (c) => c.notNull())
        .addColumn('amr', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .execute();
      await db.schema.createIndex('sign_ins_user').on('sign_ins').column('user_id').execute();
      await db.schema
        .createTable('sign_in_sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id'))
        .addColumn('sign_in_id', 'text', (c) => c.notNull().references('sign_ins.id'))
        .addColumn('auth_time', 'bigint', (c) => c.notNull())
        .addColumn('amr', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sign_in_sessions_sign_in')
        .on('sign_in_sessions')
        .column('sign_in_id')
        .execute();
      await db.schema
        .createTable('authorization_codes')
        .addColumn('code_hash', bytes, (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('applications.client_id'))
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('code_challenge', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('sign_in_id', 'text', (c) => c.notNull().references('sign_ins.id'))
        .addColumn('auth_time', 'bigint', (c) => c.notNull())
        .addColumn('amr', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('session_id', 'text')
        .addColumn('replayed_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('authorization_codes_expires')
        .on('authorization_codes')
        .column('expires_at')
        .execute();
    },
  };
}
