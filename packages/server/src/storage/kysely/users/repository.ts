// User repository: users of tenants, with their roles.
import { type Kysely, sql } from 'kysely';
import type { Status, User } from '../../../domain/types.js';
import type { UserRepository } from '../../contract/users.js';
import { bumpRevision, changing, withRevision } from '../revision/queries.js';
import { recordRevocations } from '../revocations/record.js';
import { constrained } from '../rows.js';
import type { Database } from '../schema.js';
import { userRow } from './table.js';

/** Rows per statement of a bulk import: 13 columns × 500 stays within both drivers' parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export function userRepository(db: Kysely<Database>): UserRepository {
  return {
    async create(user: User) {
      await constrained(`user ${user.id} / e-mail "${user.email}" in this tenant`, () =>
        withRevision(db, (trx) => trx.insertInto('users').values(userRow.to(user)).execute()),
      );
    },
    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? userRow.from(row) : undefined;
    },
    async list(filter = {}) {
      let query = db.selectFrom('users').selectAll();
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(userRow.from);
    },
    async setStatus(id, status: Status, at) {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('users')
          .set({ status, updated_at: at.getTime() })
          .where('id', '=', id)
          .executeTakeFirst();
        const changed = result.numUpdatedRows > 0n;
        // Deactivation reaches regional verifiers through the feed (docs/revocation.md).
        if (changed && status === 'inactive')
          await recordRevocations(trx, [{ kind: 'sub', value: `user:${id}`, at }]);
        return changed;
      });
    },
    async update(id, changes, at) {
      return changing(db, async (trx) => {
        const set: Record<string, unknown> = { updated_at: at.getTime() };
        if (changes.role) {
          set['role_id'] = changes.role.id;
          set['role_legacy_id'] = changes.role.legacyId;
          set['role_updated_at'] = changes.role.lastUpdateTime;
          set['secondary_roles'] = JSON.stringify(changes.role.secondaryRoles);
        }
        if (changes.operator !== undefined) set['is_operator'] = changes.operator ? 1 : 0;
        const result = await trx.updateTable('users').set(set).where('id', '=', id).executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },
    async emailsTaken(tenantId, emails) {
      const taken = new Set<string>();
      for (const chunk of chunks(emails)) {
        const rows = await db
          .selectFrom('users')
          .select(sql<string>`lower(email)`.as('email'))
          .where('tenant_id', '=', tenantId)
          .where(
            sql`lower(email)`,
            'in',
            chunk.map((e) => e.toLowerCase()),
          )
          .execute();
        for (const row of rows) taken.add(row.email);
      }
      return taken;
    },
    async createMany(users, at) {
      if (users.length === 0) return new Set<string>();
      return db.transaction().execute(async (trx) => {
        const stored = new Set<string>();
        for (const chunk of chunks(users)) {
          // A user whose e-mail arrived meanwhile (another import) is left out, not a failure.
          const rows = await trx
            .insertInto('users')
            .values(chunk.map((u) => userRow.to(u.user)))
            .onConflict((oc) => oc.columns(['tenant_id', 'email']).doNothing())
            .returning('id')
            .execute();
          for (const row of rows) stored.add(row.id);
          const credentials = chunk
            .filter((u) => u.passwordHash !== null && stored.has(u.user.id))
            .map((u) => ({ user_id: u.user.id, password_hash: u.passwordHash, updated_at: at.getTime() }));
          if (credentials.length > 0) await trx.insertInto('user_credentials').values(credentials).execute();
        }
        if (stored.size > 0) await bumpRevision(trx);
        return stored;
      });
    },
  };
}
