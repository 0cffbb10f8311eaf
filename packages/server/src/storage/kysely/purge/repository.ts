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
      const doomed = await db
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
        .limit(limit)
        .execute();
      if (doomed.length === 0) return 0;
      const ids = doomed.map((r) => r.id);
      // A code-flow session is linked to the sign-in that opened it (sign_in_sessions references
      // sessions): the link goes first, in the same transaction, or the foreign key refuses the delete.
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sign_in_sessions').where('session_id', 'in', ids).execute();
        const result = await trx
          .deleteFrom('sessions')
          .where('id', 'in', ids)
          // Chosen by the read above; still ended now (an ended session never comes back).
          .where((eb) => eb.or([eb('expires_at', '<=', ms), eb('revoked_at', '<=', ms)]))
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
    async authorizationCodes(at, limit) {
      // Used or not: an expired code can no longer be exchanged, and its replay is no longer told
      // apart from an unknown code (both are invalid_grant).
      const batch = db
        .selectFrom('authorization_codes')
        .select('code_hash')
        .where('expires_at', '<=', at.getTime())
        .limit(limit);
      const result = await db
        .deleteFrom('authorization_codes')
        .where('code_hash', 'in', batch)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async signIns(at, limit) {
      const ms = at.getTime();
      // Expired or ended, and nothing refers to it: a grant session it opened may outlive the browser's
      // sign-in (its refreshes carry the sign-in's auth_time and amr), so the sign-in waits for it; its
      // codes expire within minutes and go first.
      const ofColumn = (column: 'expires_at' | 'ended_at') => (n: number) =>
        db
          .selectFrom('sign_ins as i')
          .select('i.id')
          .where(`i.${column}`, '<=', ms)
          .where((eb) =>
            eb.not(
              eb.or([
                eb.exists(
                  eb
                    .selectFrom('sign_in_sessions as l')
                    .select('l.sign_in_id')
                    .whereRef('l.sign_in_id', '=', 'i.id'),
                ),
                eb.exists(
                  eb
                    .selectFrom('authorization_codes as c')
                    .select('c.sign_in_id')
                    .whereRef('c.sign_in_id', '=', 'i.id'),
                ),
              ]),
            ),
          )
          .limit(n);
      let deleted = 0;
      for (const batch of [ofColumn('ended_at'), ofColumn('expires_at')]) {
        if (deleted >= limit) break;
        const result = await db
          .deleteFrom('sign_ins')
          .where('id', 'in', batch(limit - deleted))
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
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
