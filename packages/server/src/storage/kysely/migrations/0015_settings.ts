// The settings table: facts about the installation written once by the first node that starts on the
// database (the issuer it served), so later nodes can tell when they disagree (docs/operations.md).
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function settings(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
