// Kysely's PostgreSQL dialect without the Migrator's own session-level advisory lock: under PgBouncer's
// transaction pooling a session lock is taken on one server connection and released on another, so it
// would stay held. migrateToLatest (migrations/index.ts) takes a transaction-scoped lock instead.
import { type DialectAdapter, type Kysely, PostgresAdapter, PostgresDialect } from 'kysely';

class TransactionPoolingAdapter extends PostgresAdapter {
  override async acquireMigrationLock(_db: Kysely<unknown>): Promise<void> {}
  override async releaseMigrationLock(_db: Kysely<unknown>): Promise<void> {}
}

/** `PostgresDialect` for a pool that may sit behind PgBouncer in transaction mode (docs/ha.md). */
export class TransactionPoolingDialect extends PostgresDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionPoolingAdapter();
  }
}
