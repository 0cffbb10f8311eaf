// The list of migrations (in code, one file each: nothing to ship or find at run time) and the migrator
// that applies them safely when several nodes start at once. A new migration is a new file here and one
// line in `migrations()`; a migration, once released, is never edited. A migration file imports its
// database type from any-db.ts, never from this list.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Dialect } from '../rows.js';
import type { Database } from '../schema.js';
import { beginImmediatePatiently } from '../sqlite-driver.js';
import { initial } from './0001_initial.js';
import { revision } from './0002_revision.js';
import { appTypes } from './0003_app_types.js';
import { throttlingAudit } from './0004_throttling_audit.js';
import { signingKeyStates } from './0005_signing_key_states.js';
import { revocationFeed } from './0006_revocation_feed.js';
import { signIn } from './0007_sign_in.js';
import { refreshGrace } from './0008_refresh_grace.js';
import { admin } from './0009_admin.js';
import { consent } from './0010_consent.js';
import { accessKeyControl } from './0011_access_key_control.js';
import { purgeIndexes } from './0013_purge_indexes.js';
import { settings } from './0015_settings.js';
import { activityIndexes } from './0016_activity_indexes.js';
import { scim } from './0020_scim.js';
import { webhooks } from './0021_webhooks.js';
import { deviceAuthorization } from './0022_device_authorization.js';
import { identityProviders } from './0023_identity_providers.js';
import { passkeys } from './0024_passkeys.js';
import { people } from './0025_people.js';
import { dpop } from './0026_dpop.js';
import { invitations } from './0027_invitations.js';
import { emailVerification } from './0028_email_verification.js';
import { tenantMailPolicy } from './0029_tenant_mail_policy.js';
import { typedAuditSubjects } from './0030_typed_audit_subjects.js';

export type { Dialect } from '../rows.js';

/** Any fixed number: every node takes the same PostgreSQL advisory lock around migrations. */
const MIGRATION_LOCK_KEY = 0x63786175; // "cxau"
/** How long a starting node waits for another one's migration, ms (request timeouts are far shorter). */
const MIGRATION_PATIENCE_MS = 60_000;
const LOCK_POLL_MS = 50;

/**
 * Takes the PostgreSQL advisory lock for the transaction `trx` without a blocking wait, which
 * `lock_timeout` would cut short while another node migrates: polls `pg_try_advisory_xact_lock`. The
 * lock is transaction-scoped so that it holds behind PgBouncer's transaction pooling too, and the
 * transaction may stay idle while the migrations run on another connection.
 */
async function advisoryLockPatiently(trx: Kysely<Database>): Promise<void> {
  const end = Date.now() + MIGRATION_PATIENCE_MS;
  const idle = String(2 * MIGRATION_PATIENCE_MS);
  await sql`select set_config('idle_in_transaction_session_timeout', ${idle}, true)`.execute(trx);
  for (;;) {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${MIGRATION_LOCK_KEY}) as locked`.execute(trx);
    if (rows[0]?.locked) return;
    if (Date.now() > end) throw new Error('another node held the migration lock for too long');
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** Every migration, in order: one file each, named by its number. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_revision': revision(),
    '0003_app_types': appTypes(),
    '0004_throttling_audit': throttlingAudit(),
    '0005_signing_key_states': signingKeyStates(),
    '0006_revocation_feed': revocationFeed(),
    '0007_sign_in': signIn(dialect),
    '0008_refresh_grace': refreshGrace(),
    '0009_admin': admin(dialect),
    '0010_consent': consent(),
    '0011_access_key_control': accessKeyControl(),
    '0013_purge_indexes': purgeIndexes(),
    '0015_settings': settings(),
    '0016_activity_indexes': activityIndexes(),
    '0020_scim': scim(dialect),
    '0021_webhooks': webhooks(),
    '0022_device_authorization': deviceAuthorization(dialect),
    '0023_identity_providers': identityProviders(dialect),
    '0024_passkeys': passkeys(dialect),
    '0025_people': people(dialect),
    '0026_dpop': dpop(dialect),
    '0027_invitations': invitations(dialect),
    '0028_email_verification': emailVerification(dialect),
    '0029_tenant_mail_policy': tenantMailPolicy(),
    '0030_typed_audit_subjects': typedAuditSubjects(),
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
 * Brings the schema up to date. On PostgreSQL the whole run holds an advisory lock in a transaction
 * of its own (Kysely's lock table is created with `IF NOT EXISTS`, which still races between nodes on
 * a fresh database) while the migrations run in one transaction beside it (kysely/pg-dialect.ts). On
 * SQLite one immediate transaction does the same.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    // BEGIN IMMEDIATE takes the write lock up front, so a second process waits (asynchronously) and
    // then finds the migrations done instead of failing halfway.
    await db.connection().execute(async (conn) => {
      await beginImmediatePatiently(conn, MIGRATION_PATIENCE_MS);
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
  await db.transaction().execute(async (lock) => {
    await advisoryLockPatiently(lock);
    await migrateWith(db, dialect);
  });
}
