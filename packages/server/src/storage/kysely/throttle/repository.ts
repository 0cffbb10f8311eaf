// Throttle repository: the one read every token request makes, and the atomic upsert of a failure
// (INSERT … ON CONFLICT DO UPDATE … RETURNING, the same statement on SQLite and PostgreSQL).
import { type Kysely, sql } from 'kysely';
import type { ThrottleRepository } from '../../contract/throttle.js';
import type { Database } from '../schema.js';
import { throttleRow } from './table.js';

export function throttleRepository(db: Kysely<Database>): ThrottleRepository {
  return {
    async read(keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('throttle')
        .select(['key', 'failures', 'blocked_until'])
        .where('key', 'in', keys)
        .execute();
      return rows.map(throttleRow.from);
    },
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
