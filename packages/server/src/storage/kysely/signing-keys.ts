// Signing-key repository: public JWKs and KEK-encrypted private keys (never decrypted here).
import type { Kysely } from 'kysely';
import type { SigningKey, Status } from '../../domain/types.js';
import type { SigningKeyRepository } from '../storage.js';
import { constrained, signingKeyRow } from './rows.js';
import type { Database } from './schema.js';

export function signingKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  return {
    async create(key: SigningKey) {
      await constrained(`signing key ${key.kid}`, () =>
        db.insertInto('signing_keys').values(signingKeyRow.to(key)).execute(),
      );
    },
    async list() {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('kid')
        .execute();
      return rows.map(signingKeyRow.from);
    },
    async setStatus(kid, status: Status) {
      const result = await db
        .updateTable('signing_keys')
        .set({ status })
        .where('kid', '=', kid)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
