// The revision: one row whose value grows with every change to a tenant, user, application or access
// key, so that every node can tell at the cost of one primary-key read whether its cached records are
// still current (see docs/storage.md, "The revision").
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function revision(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('revision')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('revision').values({ id: 1, value: 0 }).execute();
    },
  };
}
