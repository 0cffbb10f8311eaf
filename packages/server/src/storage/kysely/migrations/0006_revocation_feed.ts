// The revocation feed: one row per ended session or deactivated subject, numbered by position, and the
// counter row that hands positions out in commit order (see docs/revocation.md).
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function revocationFeed(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('revocation_events')
        .addColumn('position', 'bigint', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      // The snapshot reads and the purge deletes by time.
      await db.schema.createIndex('revocation_events_at').on('revocation_events').column('at').execute();
      await db.schema
        .createTable('revocation_feed')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('position', 'bigint', (c) => c.notNull())
        .addColumn('purged_through', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('revocation_feed').values({ id: 1, position: 0, purged_through: 0 }).execute();
    },
  };
}
