// Writing revocation events, inside the transaction of the change they record. Positions come from a
// counter row updated in that transaction: its row lock (PostgreSQL) or the write lock (SQLite) is held
// until commit, so positions become visible in order and a reader never skips one committed later.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { RevocationKind } from '../../contract/revocations.js';
import type { Database } from '../schema.js';

/** What is revoked: a session, a subject, a tenant or a client, at a time. */
export interface Revocation {
  readonly kind: RevocationKind;
  readonly value: string;
  readonly at: Date;
}

/** Rows per INSERT: far below either dialect's limit on bound parameters. */
const CHUNK = 200;

/** Records `revocations` in `trx`, numbered in order after the last position. */
export async function recordRevocations(
  trx: Transaction<Database>,
  revocations: readonly Revocation[],
): Promise<void> {
  if (revocations.length === 0) return;
  const { position } = await trx
    .updateTable('revocation_feed')
    .set({ position: sql`position + ${revocations.length}` })
    .where('id', '=', 1)
    .returning('position')
    .executeTakeFirstOrThrow();
  const first = Number(position) - revocations.length + 1;
  const rows = revocations.map((r, i) => ({
    position: first + i,
    kind: r.kind,
    value: r.value,
    at: r.at.getTime(),
  }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('revocation_events')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

/** Runs `write` in a transaction: `db`'s own when it is one already, else a new one. */
export function inTransaction<T>(
  db: Kysely<Database> | Transaction<Database>,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? write(db as Transaction<Database>) : db.transaction().execute(write);
}
