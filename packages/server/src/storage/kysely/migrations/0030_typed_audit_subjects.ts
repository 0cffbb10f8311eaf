// Audit events recorded before every subject was typed (docs/operations.md, "Audit events"): the
// passkey events of the sign-in and passkey pages, federated sign-ins and the accounts they made just
// in time named a bare user id as their subject (and the passkey page as the actor). They name
// `user:<id>` from here on, as every other event does, so one filter finds all of a user's events; the
// events a person made on the pages without an actor get that person as their actor, as new ones have.
import { type Migration, sql } from 'kysely';
import type { AnyDb } from './any-db.js';

/** The person was the actor, and none was recorded: a sign-in with a passkey or through an IdP. */
const PERSON_ACTED = ['passkey.used', 'federation.signed_in', 'user.created'] as const;
/** The subject alone was bare: a refused assertion names no actor (it may not be the person's). */
const SUBJECT_ONLY = ['passkey.refused'] as const;
/** The passkey page named the bare id as the actor too. */
const BARE_ACTOR = ['passkey.registered', 'passkey.renamed', 'passkey.removed'] as const;

export function typedAuditSubjects(): Migration {
  return {
    async up(db: AnyDb) {
      // A typed value has a colon (`user:<id>`, `scim_token:<id>`); the ids written bare were UUIDs.
      // Each statement reads the rows of its types through the (type, at) index.
      const bare = sql<string>`'user:' || subject`;
      await db
        .updateTable('audit_events')
        .set({ actor: bare, subject: bare })
        .where('type', 'in', PERSON_ACTED)
        .where('actor', 'is', null)
        .where('subject', 'not like', '%:%')
        .execute();
      await db
        .updateTable('audit_events')
        .set({ subject: bare })
        .where('type', 'in', [...PERSON_ACTED, ...SUBJECT_ONLY, ...BARE_ACTOR])
        .where('subject', 'not like', '%:%')
        .execute();
      await db
        .updateTable('audit_events')
        .set({ actor: sql<string>`'user:' || actor` })
        .where('type', 'in', BARE_ACTOR)
        .where('actor', 'not like', '%:%')
        .where('actor', 'not in', ['cli', 'service'])
        .execute();
    },
  };
}
