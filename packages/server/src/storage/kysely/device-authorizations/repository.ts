// Device authorization repository (RFC 8628): each answer and the claim are one conditional UPDATE, so
// of two racing answers (or claims) exactly one wins.
import { type Kysely, sql } from 'kysely';
import type { DeviceAuthorizationRepository } from '../../contract/device-authorizations.js';
import type { Database } from '../schema.js';
import { deviceAuthorizationRow } from './table.js';

export function deviceAuthorizationRepository(db: Kysely<Database>): DeviceAuthorizationRepository {
  const byId = async (id: string) =>
    db.selectFrom('device_authorizations').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    async create(record) {
      const result = await db
        .insertInto('device_authorizations')
        .values(deviceAuthorizationRow.to(record))
        .onConflict((oc) => oc.column('user_code_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async get(id) {
      const row = await byId(id);
      return row ? deviceAuthorizationRow.from(row) : undefined;
    },
    async byDeviceCode(deviceCodeHash) {
      const row = await db
        .selectFrom('device_authorizations')
        .selectAll()
        .where('device_code_hash', '=', deviceCodeHash)
        .executeTakeFirst();
      return row ? deviceAuthorizationRow.from(row) : undefined;
    },
    async byUserCode(userCodeHash) {
      const row = await db
        .selectFrom('device_authorizations')
        .selectAll()
        .where('user_code_hash', '=', userCodeHash)
        .executeTakeFirst();
      return row ? deviceAuthorizationRow.from(row) : undefined;
    },
    async poll(id, at, penalty) {
      const ms = at.getTime();
      const inTime = await db
        .updateTable('device_authorizations')
        .set({ last_polled_at: ms })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('last_polled_at', 'is', null),
            sql<boolean>`last_polled_at + poll_interval * 1000 <= ${ms}`,
          ]),
        )
        .executeTakeFirst();
      if (inTime.numUpdatedRows > 0n) return { outcome: 'in_time' };
      // Too soon: this poll counts as the last one, and the interval grows (RFC 8628 §3.5).
      await db
        .updateTable('device_authorizations')
        .set({ last_polled_at: ms, poll_interval: sql`poll_interval + ${penalty}` })
        .where('id', '=', id)
        .execute();
      const row = await byId(id);
      return { outcome: 'slow_down', interval: Number(row?.poll_interval ?? penalty) };
    },
    async approve(id, approval, at) {
      const ms = at.getTime();
      const result = await db
        .updateTable('device_authorizations')
        .set({
          status: 'approved',
          user_id: approval.userId,
          user_tenant_id: approval.tenantId,
          sign_in_id: approval.signInId,
          auth_time: approval.authTime.getTime(),
          amr: JSON.stringify(approval.amr),
          answered_at: ms,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', ms)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async deny(id, at) {
      const ms = at.getTime();
      const result = await db
        .updateTable('device_authorizations')
        .set({ status: 'denied', answered_at: ms })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', ms)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async claim(id, sessionId, at) {
      const result = await db
        .updateTable('device_authorizations')
        .set({ status: 'used', session_id: sessionId })
        .where('id', '=', id)
        .where('status', '=', 'approved')
        .where('expires_at', '>', at.getTime())
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async purgeExpired(at, limit) {
      const batch = db
        .selectFrom('device_authorizations')
        .select('id')
        .where('expires_at', '<=', at.getTime())
        .limit(limit);
      const result = await db.deleteFrom('device_authorizations').where('id', 'in', batch).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
