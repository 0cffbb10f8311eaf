// Revocation-events repository: the feed's reads (head, pages, snapshot) and the purge.
import type { Kysely } from 'kysely';
import type { RevocationRepository } from '../../contract/revocations.js';
import type { Database } from '../schema.js';
import { inTransaction, recordRevocations } from './record.js';
import { revocationEventRow } from './table.js';

export function revocationRepository(db: Kysely<Database>): RevocationRepository {
  return {
    async head() {
      const row = await db
        .selectFrom('revocation_feed')
        .select(['position', 'purged_through'])
        .where('id', '=', 1)
        .executeTakeFirst();
      return { position: Number(row?.position ?? 0), purgedThrough: Number(row?.purged_through ?? 0) };
    },
    async after(position, limit) {
      const rows = await db
        .selectFrom('revocation_events')
        .selectAll()
        .where('position', '>', position)
        .orderBy('position')
        .limit(limit)
        .execute();
      return rows.map(revocationEventRow.from);
    },
    async since(since) {
      const rows = await db
        .selectFrom('revocation_events')
        .selectAll()
        .where('at', '>=', since.getTime())
        .orderBy('position')
        .execute();
      return rows.map(revocationEventRow.from);
    },
    async revokeToken(jti, at) {
      await inTransaction(db, (trx) => recordRevocations(trx, [{ kind: 'jti', value: jti, at }]));
    },
    async isTokenRevoked(jti, since) {
      // Bounded by the `at` index: events older than the token cannot name it.
      const row = await db
        .selectFrom('revocation_events')
        .select('position')
        .where('at', '>=', since.getTime())
        .where('kind', '=', 'jti')
        .where('value', '=', jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    /**
     * Deletes the oldest events and remembers the highest position deleted, so a verifier asking
     * after an older position is told to start over rather than silently missing them.
     */
    async purge(before, limit) {
      return db.transaction().execute(async (trx) => {
        const doomed = await trx
          .selectFrom('revocation_events')
          .select('position')
          .where('at', '<', before.getTime())
          .orderBy('position')
          .limit(limit)
          .execute();
        const last = doomed.at(-1);
        if (last === undefined) return 0;
        const through = Number(last.position);
        const result = await trx
          .deleteFrom('revocation_events')
          .where('position', '<=', through)
          .where('at', '<', before.getTime())
          .executeTakeFirst();
        await trx
          .updateTable('revocation_feed')
          .set({ purged_through: through })
          .where('id', '=', 1)
          .where('purged_through', '<', through)
          .execute();
        return Number(result.numDeletedRows);
      });
    },
  };
}
