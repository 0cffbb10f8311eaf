// Signing-key repository: public JWKs and KEK-encrypted private keys (never decrypted here).
import { type Kysely, sql } from 'kysely';
import type { SigningKey, Status } from '../../../domain/types.js';
import type { SigningKeyRepository } from '../../contract/signing-keys.js';
import { prepare } from '../prepared.js';
import { constrained, type Dialect } from '../rows.js';
import type { Database } from '../schema.js';
import { beginImmediatePatiently } from '../sqlite-driver.js';
import { signingKeyRow } from './table.js';

/** Any fixed number, distinct from the migration lock: serializes first-key creation across nodes. */
const FIRST_KEY_LOCK = 0x6378_6b31;

export function signingKeyRepository(db: Kysely<Database>, dialect: Dialect): SigningKeyRepository {
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
    /**
     * The check and the insert run in one transaction that only one node at a time may hold (SQLite:
     * `BEGIN IMMEDIATE` takes the write lock first; PostgreSQL: a transaction-scoped advisory lock), so
     * nodes starting together on a fresh database create one key, and every node publishes the key that
     * signs.
     */
    async createIfNoneActive(key: SigningKey) {
      return db.connection().execute(async (conn) => {
        // Nodes starting together wait for each other here longer than a request would.
        if (dialect === 'sqlite') await beginImmediatePatiently(conn);
        else await sql.raw('begin').execute(conn);
        try {
          if (dialect === 'postgres')
            await sql`select pg_advisory_xact_lock(${FIRST_KEY_LOCK})`.execute(conn);
          const active = await conn
            .selectFrom('signing_keys')
            .select('kid')
            .where('status', '=', 'active')
            .limit(1)
            .executeTakeFirst();
          if (!active) await conn.insertInto('signing_keys').values(signingKeyRow.to(key)).execute();
          await sql.raw('commit').execute(conn);
          return !active;
        } catch (err) {
          await sql.raw('rollback').execute(conn);
          throw err;
        }
      });
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
