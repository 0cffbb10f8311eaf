// Signing-key repository: public JWKs and KEK-encrypted private keys (never decrypted here).
import { type Kysely, sql } from 'kysely';
import type { SigningKey, SigningKeyState } from '../../../domain/types.js';
import type { SigningKeyChange, SigningKeyRepository } from '../../contract/signing-keys.js';
import { prepare } from '../prepared.js';
import { constrained, type Dialect } from '../rows.js';
import type { Database } from '../schema.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { signingKeyRow } from './table.js';

/** Any fixed number, distinct from the migration lock: serializes key changes across nodes. */
const KEY_CHANGE_LOCK = 0x6378_6b31;
/** SQLite: how long a key change waits for the write lock (nodes starting together). */
export const KEY_CHANGE_PATIENCE_MS = 30_000;

export function signingKeyRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  atomically: UnitOfWork['atomically'],
): SigningKeyRepository {
  // Every node reloads its keys at each key reload.
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
     * The read and the writes run in one transaction that only one node at a time may hold (SQLite:
     * `BEGIN IMMEDIATE` takes the write lock first; PostgreSQL: a transaction-scoped advisory lock): a
     * unit of its own, or the caller's (`Storage.atomically`: the change's audit event commits with it).
     */
    async change<T>(decide: (keys: readonly SigningKey[]) => SigningKeyChange<T>) {
      // Nodes starting together wait for each other here longer than a request would.
      return atomically(
        async () => {
          if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${KEY_CHANGE_LOCK})`.execute(db);
          const rows = await db
            .selectFrom('signing_keys')
            .selectAll()
            .orderBy('created_at', 'desc')
            .execute();
          const change = decide(rows.map(signingKeyRow.from));
          if (change.create) {
            const key = change.create;
            await constrained(`signing key ${key.kid}`, () =>
              db.insertInto('signing_keys').values(signingKeyRow.to(key)).execute(),
            );
          }
          if (change.retire) {
            await db
              .updateTable('signing_keys')
              .set({ retired_at: change.retire.at.getTime(), state: 'retired' })
              .where('kid', '=', change.retire.kid)
              .where('retired_at', 'is', null)
              .execute();
          }
          for (const { kid, state } of change.states ?? []) {
            await db.updateTable('signing_keys').set({ state }).where('kid', '=', kid).execute();
          }
          return change.result;
        },
        { patienceMs: KEY_CHANGE_PATIENCE_MS },
      );
    },
    async list() {
      const { rows } = await newestFirst.execute(db, {});
      return rows.map(signingKeyRow.from);
    },
    async setState(kid, state: SigningKeyState) {
      const result = await db
        .updateTable('signing_keys')
        .set({ state })
        .where('kid', '=', kid)
        .where('state', '!=', state)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
