// Consent repository: one row per (user, application), written with an upsert.
import type { Kysely } from 'kysely';
import type { ConsentRepository } from '../../contract/consents.js';
import { prepare } from '../prepared.js';
import type { Database } from '../schema.js';
import { consentRow } from './table.js';

export function consentRepository(db: Kysely<Database>): ConsentRepository {
  // Read on every code-flow request of a third-party application.
  const one = prepare((a: { userId: string; clientId: string }) =>
    db.selectFrom('consents').selectAll().where('user_id', '=', a.userId).where('client_id', '=', a.clientId),
  );
  return {
    async get(userId, clientId) {
      const row = (await one.execute(db, { userId, clientId })).rows[0];
      return row ? consentRow.from(row) : undefined;
    },
    async listByUser(userId) {
      const rows = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('client_id')
        .execute();
      return rows.map(consentRow.from);
    },
    async put(consent) {
      const row = consentRow.to(consent);
      await db
        .insertInto('consents')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'client_id'])
            .doUpdateSet({ scopes: row.scopes, updated_at: row.updated_at }),
        )
        .execute();
    },
    async delete(userId, clientId) {
      const result = await db
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async purgeOrphans(limit) {
      // (user_id, client_id) is the key: a batch is the first `limit` pairs whose app is gone.
      const orphans = db
        .selectFrom('consents')
        .select(['user_id', 'client_id'])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('applications')
                .select('applications.client_id')
                .whereRef('applications.client_id', '=', 'consents.client_id'),
            ),
          ),
        )
        .limit(limit);
      const rows = await orphans.execute();
      if (rows.length === 0) return 0;
      let deleted = 0;
      await db.transaction().execute(async (trx) => {
        for (const r of rows) {
          const result = await trx
            .deleteFrom('consents')
            .where('user_id', '=', r.user_id)
            .where('client_id', '=', r.client_id)
            .executeTakeFirst();
          deleted += Number(result.numDeletedRows);
        }
      });
      return deleted;
    },
  };
}
