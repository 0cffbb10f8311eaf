// The indexes the purge of sign-ins and authorization codes reads along, and the one that keeps the
// bound on a sign-in's unexchanged codes a short read (docs/operations.md "Purge").
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function purgeIndexes(): Migration {
  return {
    async up(db: AnyDb) {
      // A sign-in's codes, newest first: the bound trims past the newest, and the sign-in purge asks
      // whether any code still refers to a sign-in (authorization_codes.sign_in_id references it).
      await db.schema
        .createIndex('authorization_codes_sign_in')
        .on('authorization_codes')
        .columns(['sign_in_id', 'created_at'])
        .execute();
      await db.schema.createIndex('sign_ins_expires').on('sign_ins').column('expires_at').execute();
      await db.schema.createIndex('sign_ins_ended').on('sign_ins').column('ended_at').execute();
    },
  };
}
