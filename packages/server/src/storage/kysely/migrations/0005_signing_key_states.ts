// Signing-key states (docs/operations.md, "Signing keys and rotation"): each key gets the times of its
// life (published from, signing from, retired at) and a state in place of active/inactive. Existing
// active keys sign from their creation on; inactive ones were still published, so they become retired.
import { type Migration, sql } from 'kysely';
import type { AnyDb } from './any-db.js';

export function signingKeyStates(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('signing_keys').addColumn('state', 'text').execute();
      await db.schema.alterTable('signing_keys').addColumn('publish_at', 'bigint').execute();
      await db.schema.alterTable('signing_keys').addColumn('sign_from', 'bigint').execute();
      await db.schema.alterTable('signing_keys').addColumn('retired_at', 'bigint').execute();
      await db
        .updateTable('signing_keys')
        .set({
          state: sql`case when status = 'active' then 'signing' else 'retired' end`,
          publish_at: sql`created_at`,
          sign_from: sql`created_at`,
          retired_at: sql`case when status = 'active' then null else created_at end`,
        })
        .execute();
      await db.schema.alterTable('signing_keys').dropColumn('status').execute();
    },
  };
}
