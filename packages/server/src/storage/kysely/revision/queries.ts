// Reading and growing the revision. Every write to a tenant, user, application or access key calls
// bumpRevision inside its own transaction, so the new revision is visible exactly when the change is.
import { type Kysely, sql, type Transaction } from 'kysely';
import { prepare } from '../prepared.js';
import type { Database } from '../schema.js';

/**
 * Grows the revision by one inside `trx`. On PostgreSQL the row lock it takes serializes concurrent
 * admin writes until their commit; token grants never take it.
 */
export async function bumpRevision(trx: Transaction<Database>): Promise<void> {
  await trx.updateTable('revision').set({ value: sql`value + 1` }).where('id', '=', 1).execute();
}

/** Runs `write` and grows the revision in one transaction; returns what `write` returned. */
export function withRevision<T>(
  db: Kysely<Database>,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const result = await write(trx);
    await bumpRevision(trx);
    return result;
  });
}

/**
 * Runs an update that reports whether it changed a row, growing the revision in the same transaction
 * when it did (an update of nothing leaves every cache current).
 */
export function changing(
  db: Kysely<Database>,
  update: (trx: Transaction<Database>) => Promise<boolean>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const changed = await update(trx);
    if (changed) await bumpRevision(trx);
    return changed;
  });
}

/** The current revision: a primary-key read, compiled once (it runs on every token request). */
export function revisionReader(db: Kysely<Database>): () => Promise<number> {
  const current = prepare((_: Record<string, never>) =>
    db.selectFrom('revision').select('value').where('id', '=', 1),
  );
  return async () => {
    const row = (await current.execute(db, {})).rows[0];
    return row ? Number(row.value) : 0;
  };
}
