// Throttle repository: the one read every token request makes (with the revision, in one prepared
// statement), and the atomic upsert of a failure (INSERT … ON CONFLICT DO UPDATE … RETURNING, the same
// statement on SQLite and PostgreSQL).
import { type Kysely, sql } from 'kysely';
import type { ThrottleRepository } from '../../contract/throttle.js';
import { type PreparedQuery, prepare } from '../prepared.js';
import type { Database } from '../schema.js';
import { throttleRow } from './table.js';

/** Key lists longer than this are read unprepared (a request names at most a handful of keys). */
const MAX_PREPARED_KEYS = 16;

interface CounterRow {
  is_revision: number;
  key: string | null;
  failures: number | string;
  blocked_until: number | string | null;
}

/**
 * The revision row and the counters of `n` keys in one statement, compiled once per key count: the
 * revision row comes first, flagged, and each counter that exists follows it.
 */
function readStatement(db: Kysely<Database>, n: number): PreparedQuery<Record<string, string>, CounterRow> {
  return prepare((a: Record<string, string>) =>
    db
      .selectFrom('revision')
      .select([
        sql<number>`1`.as('is_revision'),
        sql<string | null>`null`.as('key'),
        sql<number | string>`value`.as('failures'),
        sql<number | string | null>`null`.as('blocked_until'),
      ])
      .where('id', '=', 1)
      .unionAll(
        db
          .selectFrom('throttle')
          .select([sql<number>`0`.as('is_revision'), 'key', 'failures', 'blocked_until'])
          .where(
            'key',
            'in',
            Array.from({ length: n }, (_, i) => a[`k${i}`] as string),
          ),
      ),
  ) as PreparedQuery<Record<string, string>, CounterRow>;
}

export function throttleRepository(db: Kysely<Database>): ThrottleRepository {
  const statements = new Map<number, PreparedQuery<Record<string, string>, CounterRow>>();
  const readWithRevision: ThrottleRepository['readWithRevision'] = async (keys) => {
    if (keys.length === 0 || keys.length > MAX_PREPARED_KEYS) {
      const [revision, counters] = await Promise.all([
        db.selectFrom('revision').select('value').where('id', '=', 1).executeTakeFirst(),
        read(keys),
      ]);
      return { revision: revision ? Number(revision.value) : 0, counters };
    }
    let statement = statements.get(keys.length);
    if (!statement) {
      statement = readStatement(db, keys.length);
      statements.set(keys.length, statement);
    }
    const args: Record<string, string> = {};
    for (let i = 0; i < keys.length; i++) args[`k${i}`] = keys[i] as string;
    const { rows } = await statement.execute(db, args);
    let revision = 0;
    const counters = [];
    for (const row of rows) {
      if (Number(row.is_revision) === 1) revision = Number(row.failures);
      else counters.push(throttleRow.from(row as { key: string; failures: number; blocked_until: number }));
    }
    return { revision, counters };
  };
  const read: ThrottleRepository['read'] = async (keys) => {
    if (keys.length === 0) return [];
    const rows = await db
      .selectFrom('throttle')
      .select(['key', 'failures', 'blocked_until'])
      .where('key', 'in', keys)
      .execute();
    return rows.map(throttleRow.from);
  };
  return {
    read,
    readWithRevision,
    async fail(keys, at, windowMs) {
      if (keys.length === 0) return [];
      const ms = at.getTime();
      const stale = ms - windowMs;
      const rows = await db
        .insertInto('throttle')
        .values(
          keys.map((key) => ({ key, failures: 1, window_start: ms, last_failure_at: ms, blocked_until: 0 })),
        )
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            // A counter idle for a whole window starts again: old failures are forgotten.
            failures: sql`case when throttle.last_failure_at < ${stale} then 1 else throttle.failures + 1 end`,
            window_start: sql`case when throttle.last_failure_at < ${stale} then ${ms} else throttle.window_start end`,
            last_failure_at: ms,
          }),
        )
        .returning(['key', 'failures', 'blocked_until'])
        .execute();
      return rows.map(throttleRow.from);
    },
    async block(key, until) {
      const ms = until.getTime();
      await db
        .updateTable('throttle')
        .set({ blocked_until: ms })
        .where('key', '=', key)
        .where('blocked_until', '<', ms)
        .execute();
    },
    async clear(keys) {
      if (keys.length === 0) return;
      await db.deleteFrom('throttle').where('key', 'in', keys).execute();
    },
    async purge(idleBefore, at, limit) {
      const batch = db
        .selectFrom('throttle')
        .select('key')
        .where('last_failure_at', '<', idleBefore.getTime())
        .where('blocked_until', '<', at.getTime())
        .limit(limit);
      const result = await db.deleteFrom('throttle').where('key', 'in', batch).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
