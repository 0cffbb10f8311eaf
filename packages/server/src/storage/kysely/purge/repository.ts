// Purge repository: deletes in batches of `limit` rows per statement (a bounded subquery of keys), so
// no statement holds locks for long, and a PostgreSQL advisory lock so that nodes take turns.
import { type Kysely, sql } from 'kysely';
import type { PurgeRepository } from '../../contract/purge.js';
import type { Dialect } from '../rows.js';
import type { Database } from '../schema.js';

/** Any fixed number, distinct from the migration lock: every node takes it around one purge run. */
const PURGE_LOCK_KEY = 0x63787067; // "cxpg"
/** How long the purge lock's transaction may stay idle while one run deletes, ms. */
const PURGE_LOCK_IDLE_MS = String(10 * 60_000);

export function purgeRepository(db: Kysely<Database>, dialect: Dialect): PurgeRepository {
  return {
    async refreshTokens(at, limit) {
      const ms = at.getTime();
      // A used token is kept until it expires: presenting it again is how reuse is detected. A token
      // goes when it expires, or when its session expires or is revoked: three reads, each along one
      // index, as one OR over the join would scan every token on every batch (docs/scaling.md).
      const ofSessions = (column: 'expires_at' | 'revoked_at') => (n: number) =>
        db
          .selectFrom('sessions as s')
          .innerJoin('refresh_tokens as t', 't.session_id', 's.id')
          .select('t.token_hash')
          .where(`s.${column}`, '<=', ms)
          .limit(n);
      const batches = [
        (n: number) =>
          db.selectFrom('refresh_tokens').select('token_hash').where('expires_at', '<=', ms).limit(n),
        ofSessions('expires_at'),
        ofSessions('revoked_at'),
      ];
      let deleted = 0;
      for (const batch of batches) {
        if (deleted >= limit) break;
        const result = await db
          .deleteFrom('refresh_tokens')
          .where('token_hash', 'in', batch(limit - deleted))
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
    async sessions(at, limit) {
      const ms = at.getTime();
      const batch = db
        .selectFrom('sessions as s')
        .select('s.id')
        .where((eb) => eb.or([eb('s.expires_at', '<=', ms), eb('s.revoked_at', '<=', ms)]))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('refresh_tokens as t')
                .select('t.session_id')
                .whereRef('t.session_id', '=', 's.id'),
            ),
          ),
        )
        .limit(limit);
      const result = await db.deleteFrom('sessions').where('id', 'in', batch).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async exclusively(work) {
      // SQLite: every DELETE takes the database write lock, and busy_timeout makes the other node wait.
      if (dialect === 'sqlite') return work();
      // A transaction-scoped lock, so that it holds behind PgBouncer's transaction pooling; the
      // transaction stays idle while `work` runs on other connections (bounded, not forever).
      return db.transaction().execute(async (lock) => {
        await sql`select set_config('idle_in_transaction_session_timeout', ${PURGE_LOCK_IDLE_MS}, true), pg_advisory_xact_lock(${PURGE_LOCK_KEY})`.execute(
          lock,
        );
        return work();
      });
    },
  };
}
