// Audit events recorded before every subject was typed (docs/operations.md, "Audit events"): the
// passkey events of the sign-in and passkey pages, federated sign-ins and the accounts they made just
// in time named a bare user id as their subject (and the passkey page as the actor). They name
// `user:<id>` from here on, as every other event does, so one filter finds all of a user's events.
import { type Migration, sql } from 'kysely';
import type { AnyDb } from './any-db.js';

/** The event types that named a bare user id; every other type's subject was typed already. */
const BARE_SUBJECT = [
  'passkey.registered',
  'passkey.used',
  'passkey.refused',
  'passkey.renamed',
  'passkey.removed',
  'federation.signed_in',
  'user.created',
] as const;
/** Of those, the ones whose actor was the bare id too (the passkey page). */
const BARE_ACTOR = ['passkey.registered', 'passkey.renamed', 'passkey.removed'] as const;

export function typedAuditSubjects(): Migration {
  return {
    async up(db: AnyDb) {
      // A typed value has a colon; `cli`, `service` and `issuer` are the only untyped names kept.
      await db
        .updateTable('audit_events')
        .set({ subject: sql<string>`'user:' || subject` })
        .where('type', 'in', BARE_SUBJECT)
        .where('subject', 'is not', null)
        .where('subject', 'not like', '%:%')
        .where('subject', '<>', 'issuer')
        .execute();
      await db
        .updateTable('audit_events')
        .set({ actor: sql<string>`'user:' || actor` })
        .where('type', 'in', BARE_ACTOR)
        .where('actor', 'is not', null)
        .where('actor', 'not like', '%:%')
        .where('actor', 'not in', ['cli', 'service'])
        .execute();
    },
  };
}
