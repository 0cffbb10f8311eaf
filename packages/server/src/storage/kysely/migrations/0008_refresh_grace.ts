// The refresh grace period: when the immediate retry of a just-used refresh token was answered, so
// that a token is answered at most once within the grace window (docs/operations.md, "Refresh token
// grace period").
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function refreshGrace(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('refresh_tokens').addColumn('grace_used_at', 'bigint').execute();
    },
  };
}
