// The claim of an outbox's due rows under one node's lease (webhook deliveries, mail): the rows due,
// not leased or whose lease lapsed, oldest due first, up to `limit`; on PostgreSQL another node's
// claim in progress is skipped, not waited for (`FOR UPDATE SKIP LOCKED`), and its rows are re-checked
// once locked; SQLite has one writer.
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './rows.js';
import type { Database } from './schema.js';

export type LeasedTable = 'mail_outbox' | 'webhook_deliveries';

export async function claimLeased<T extends LeasedTable>(
  db: Kysely<Database>,
  dialect: Dialect,
  table: T,
  o: { now: Date; leaseMs: number; limit: number; owner: string },
): Promise<Selectable<Database[T]>[]> {
  const at = o.now.getTime();
  // One table's type stands for both: they have the same lease columns.
  const name = table as 'webhook_deliveries';
  let due = db
    .selectFrom(name)
    .select('id')
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', at)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
    .orderBy('next_attempt_at')
    .limit(o.limit);
  // An idle outbox costs one indexed read, not a write (SQLite would take its write lock).
  if ((await due.execute()).length === 0) return [];
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  const rows = await db
    .updateTable(name)
    .set({ lease_owner: o.owner, lease_until: at + o.leaseMs })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at));
  return rows as unknown as Selectable<Database[T]>[];
}
