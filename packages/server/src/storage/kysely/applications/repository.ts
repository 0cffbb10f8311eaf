// Application (OAuth client) repository.
import type { Kysely } from 'kysely';
import type { Application, Status } from '../../../domain/types.js';
import type { ApplicationRepository } from '../../contract/applications.js';
import { prepare } from '../prepared.js';
import { changing, withRevision } from '../revision/queries.js';
import { recordRevocations } from '../revocations/record.js';
import { constrained } from '../rows.js';
import type { Database } from '../schema.js';
import { applicationListColumns, applicationRow } from './table.js';

export function applicationRepository(db: Kysely<Database>): ApplicationRepository {
  // Read by client authentication when the lookup cache has no current entry (storage/lookups.ts).
  const byClientId = prepare((a: { clientId: string }) =>
    db.selectFrom('applications').selectAll().where('client_id', '=', a.clientId),
  );
  return {
    async create(app: Application) {
      await constrained(`application ${app.clientId}`, () =>
        withRevision(db, (trx) => trx.insertInto('applications').values(applicationRow.to(app)).execute()),
      );
    },
    async get(clientId) {
      const row = (await byClientId.execute(db, { clientId })).rows[0];
      return row ? applicationRow.from(row) : undefined;
    },
    async list() {
      const rows = await db
        .selectFrom('applications')
        .selectAll()
        .orderBy('created_at')
        .orderBy('client_id')
        .execute();
      return rows.map(applicationRow.from);
    },
    async update(app) {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('applications')
          .set(applicationListColumns(app))
          .where('client_id', '=', app.clientId)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },
    async setStatus(clientId, status: Status, at) {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('applications')
          .set({ status, updated_at: at.getTime() })
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        const changed = result.numUpdatedRows > 0n;
        // Every token issued to the app, and its own (client_credentials), through the feed.
        if (changed && status === 'inactive') {
          await recordRevocations(trx, [
            { kind: 'client', value: clientId, at },
            { kind: 'sub', value: `app:${clientId}`, at },
          ]);
        }
        return changed;
      });
    },
    async rotateSecret(clientId, secretHash, previous, at) {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('applications')
          .set({
            secret_hash: secretHash,
            previous_secret_hash: previous?.hash ?? null,
            previous_secret_expires_at: previous ? previous.expiresAt.getTime() : null,
            updated_at: at.getTime(),
          })
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },
    async delete(clientId, at) {
      return changing(db, async (trx) => {
        const sessions = trx.selectFrom('sessions').select('id').where('client_id', '=', clientId);
        await trx.deleteFrom('refresh_tokens').where('session_id', 'in', sessions).execute();
        await trx.deleteFrom('sessions').where('client_id', '=', clientId).execute();
        const result = await trx
          .deleteFrom('applications')
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        const deleted = result.numDeletedRows > 0n;
        // The tokens it was issued end with it, as at deactivation (the revocation feed).
        if (deleted) {
          await recordRevocations(trx, [
            { kind: 'client', value: clientId, at },
            { kind: 'sub', value: `app:${clientId}`, at },
          ]);
        }
        return deleted;
      });
    },
    async listActiveOrigins() {
      const rows = await db
        .selectFrom('applications')
        .select('origins')
        .where('status', '=', 'active')
        .execute();
      const origins = new Set<string>();
      for (const row of rows) for (const origin of JSON.parse(row.origins) as string[]) origins.add(origin);
      return [...origins].sort();
    },
  };
}
