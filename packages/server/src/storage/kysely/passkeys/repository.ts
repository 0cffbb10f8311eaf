// Passkey repository: a use is one conditional UPDATE on the counter read before, so two racing
// assertions with the same counter cannot both pass; a challenge is spent by an INSERT on its hash.
import type { Kysely } from 'kysely';
import type { PasskeyRepository } from '../../contract/passkeys.js';
import type { Database } from '../schema.js';
import { passkeyRow } from './table.js';

export function passkeyRepository(db: Kysely<Database>): PasskeyRepository {
  return {
    async create(passkey) {
      const result = await db
        .insertInto('passkeys')
        .values(passkeyRow.to(passkey))
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(passkeyRow.from);
    },
    async byCredentialId(credentialId) {
      const row = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst();
      return row ? passkeyRow.from(row) : undefined;
    },
    async recordUse(id, use) {
      const result = await db
        .updateTable('passkeys')
        .set({ counter: use.counter, backed_up: use.backedUp ? 1 : 0, last_used_at: use.at.getTime() })
        .where('id', '=', id)
        .where('counter', '=', use.expected)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async rename(userId, id, name) {
      const result = await db
        .updateTable('passkeys')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async remove(userId, id) {
      const row = await db
        .deleteFrom('passkeys')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      return row ? passkeyRow.from(row) : undefined;
    },
    async removeAll(userId) {
      const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async spendChallenge(challengeHash, expiresAt) {
      const result = await db
        .insertInto('passkey_challenges')
        .values({ challenge_hash: challengeHash, expires_at: expiresAt.getTime() })
        .onConflict((oc) => oc.column('challenge_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async purgeChallenges(at, limit) {
      const batch = db
        .selectFrom('passkey_challenges')
        .select('challenge_hash')
        .where('expires_at', '<=', at.getTime())
        .limit(limit);
      const result = await db
        .deleteFrom('passkey_challenges')
        .where('challenge_hash', 'in', batch)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
