// Signing-key repository: public JWKs and KEK-encrypted private keys (never decrypted here).
import type { Kysely } from 'kysely';
import type { SigningKey, Status } from '../../domain/types.js';
import type { SigningKeyRepository } from '../storage.js';
import { prepare } from './prepared.js';
import { constrained, signingKeyRow } from './rows.js';
import type { Database } from './schema.js';

export function signingKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  // Every node reloads its keys each minute.
  const newestFirst = prepare((_: Record<string, never>) =>
    db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid'),
  );
  return {
    async create(key: SigningKey) {
      await constrained(`signing key ${key.kid}`, () =>
        db.insertInto('signing_keys').values(signingKeyRow.to(key)).execute(),
      );
    },
    async list() {
      const { rows } = await newestFirst.execute(db, {});
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
