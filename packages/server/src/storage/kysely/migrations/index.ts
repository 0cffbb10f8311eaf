// The schema's migrations, in code (no files to ship or find at run time), and the migrator that
// applies them safely when several nodes start at once.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** Any fixed number: every node takes the same PostgreSQL advisory lock around migrations. */
const MIGRATION_LOCK_KEY = 0x63786175; // "cxau"

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not as it is.
type AnyDb = Kysely<any>;

function migrations(dialect: Dialect): Record<string, Migration> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    '0001_initial': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('areas')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('domain', 'text', (c) => c.notNull())
          .addColumn('acd_domain', 'text', (c) => c.notNull())
          .addColumn('uh_domain', 'text', (c) => c.notNull())
          .addColumn('ui_endpoint', 'text', (c) => c.notNull())
          .addColumn('auth_endpoint', 'text', (c) => c.notNull())
          .addColumn('api_endpoint', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('tenants')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('area', 'text', (c) => c.notNull().references('areas.name'))
          .addColumn('cluster', 'text', (c) => c.notNull())
          .addColumn('business_unit_id', 'integer', (c) => c.notNull())
          .addColumn('cluster_id', 'text', (c) => c.notNull())
          .addColumn('is_private', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('tenants_area').on('tenants').column('area').execute();
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('given_name', 'text')
          .addColumn('family_name', 'text')
          .addColumn('role_id', 'text', (c) => c.notNull())
          .addColumn('role_legacy_id', 'text', (c) => c.notNull())
          .addColumn('role_updated_at', 'bigint', (c) => c.notNull())
          .addColumn('secondary_roles', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('users_tenant_email', ['tenant_id', 'email'])
          .execute();
        await db.schema
          .createTable('applications')
          .addColumn('client_id', 'text', (c) => c.primaryKey())
          .addColumn('secret_hash', bytes, (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('origins', 'text', (c) => c.notNull())
          .addColumn('grant_types', 'text', (c) => c.notNull())
          .addColumn('redirect_uris', 'text', (c) => c.notNull())
          .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('applications_status').on('applications').column('status').execute();
        await db.schema
          .createTable('access_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('secret_hash', bytes, (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .execute();
        await db.schema.createIndex('access_keys_user').on('access_keys').column('user_id').execute();
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('private_key_encrypted', bytes, (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('client_id', 'text', (c) => c.notNull().references('applications.client_id'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
          .addColumn('access_key_id', 'text', (c) => c.references('access_keys.id'))
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .addColumn('revoked_reason', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await db.schema.createIndex('sessions_access_key').on('sessions').column('access_key_id').execute();
        await db.schema
          .createTable('refresh_tokens')
          .addColumn('token_hash', bytes, (c) => c.primaryKey())
          .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('used_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('refresh_tokens_session')
          .on('refresh_tokens')
          .column('session_id')
          .execute();
      },
    },
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

async function migrateWith(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeProvider(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/**
 * Brings the schema up to date. On PostgreSQL the whole run holds a session advisory lock on one
 * dedicated connection: Kysely's own lock table is created with `IF NOT EXISTS`, which still races
 * between nodes on a fresh database. On SQLite one immediate transaction does the same.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    // BEGIN IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) and then
    // finds the migrations done instead of failing halfway.
    await db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        await migrateWith(conn, dialect);
        await sql`commit`.execute(conn);
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
    return;
  }
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      await migrateWith(conn, dialect);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}
