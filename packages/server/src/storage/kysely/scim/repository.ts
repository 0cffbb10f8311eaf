// SCIM repository: tokens, users as SCIM sees them (the users row and its link), groups and members.
import type { Kysely, Transaction } from 'kysely';
import type { User } from '../../../domain/types.js';
import type { ScimGroup, ScimRepository, ScimUser, ScimUserLink } from '../../contract/scim.js';
import { changing, withRevision } from '../revision/queries.js';
import { constrained, toDate } from '../rows.js';
import type { Database } from '../schema.js';
import { userRow } from '../users/table.js';
import { scimLinkFrom, scimLinkRow, scimTokenRow } from './table.js';

/** The link's columns, named apart from the users row's. */
const LINK_COLUMNS = [
  'scim_users.user_name as scim_user_name',
  'scim_users.external_id as scim_external_id',
  'scim_users.attributes as scim_attributes',
  'scim_users.created_at as scim_created_at',
  'scim_users.updated_at as scim_updated_at',
] as const;

async function writeEmails(trx: Transaction<Database>, tenantId: string, userId: string, emails: string[]) {
  await trx.deleteFrom('scim_user_emails').where('user_id', '=', userId).execute();
  if (emails.length > 0) {
    await trx
      .insertInto('scim_user_emails')
      .values(emails.map((value) => ({ user_id: userId, tenant_id: tenantId, value })))
      .execute();
  }
}

async function writeMembers(trx: Transaction<Database>, group: ScimGroup) {
  await trx.deleteFrom('scim_group_members').where('group_id', '=', group.id).execute();
  const members = [...new Set(group.members)];
  // In slices: a group of thousands must stay under the drivers' bound-parameter limits.
  for (let i = 0; i < members.length; i += 500) {
    await trx
      .insertInto('scim_group_members')
      .values(
        members.slice(i, i + 500).map((userId) => ({
          group_id: group.id,
          user_id: userId,
          tenant_id: group.tenantId,
        })),
      )
      .execute();
  }
}

export function scimRepository(db: Kysely<Database>): ScimRepository {
  /** The tenant's users SCIM sees: every user but those whose provisioning SCIM ended. */
  const users = (tenantId: string) =>
    db
      .selectFrom('users')
      .leftJoin('scim_users', 'scim_users.user_id', 'users.id')
      .where('users.tenant_id', '=', tenantId)
      .where('scim_users.released_at', 'is', null);

  async function groupsWhere(tenantId: string, ids?: string[]): Promise<ScimGroup[]> {
    let q = db.selectFrom('scim_groups').selectAll().where('tenant_id', '=', tenantId);
    if (ids) {
      if (ids.length === 0) return [];
      q = q.where('id', 'in', ids);
    }
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    if (rows.length === 0) return [];
    let m = db
      .selectFrom('scim_group_members')
      .select(['group_id', 'user_id'])
      .where('tenant_id', '=', tenantId);
    if (ids) m = m.where('group_id', 'in', ids);
    const members = new Map<string, string[]>();
    for (const row of await m.orderBy('user_id').execute()) {
      const list = members.get(row.group_id) ?? [];
      list.push(row.user_id);
      members.set(row.group_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      displayName: r.display_name,
      externalId: r.external_id,
      members: members.get(r.id) ?? [],
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    }));
  }

  const groupRow = (g: ScimGroup) => ({
    id: g.id,
    tenant_id: g.tenantId,
    display_name: g.displayName,
    display_key: g.displayName.toLowerCase(),
    external_id: g.externalId,
    created_at: g.createdAt.getTime(),
    updated_at: g.updatedAt.getTime(),
  });

  return {
    async createToken(token) {
      await db.insertInto('scim_tokens').values(scimTokenRow.to(token)).execute();
    },
    async getToken(id) {
      const row = await db.selectFrom('scim_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? scimTokenRow.from(row) : undefined;
    },
    async listTokens(tenantId) {
      const rows = await db
        .selectFrom('scim_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(scimTokenRow.from);
    },
    async revokeToken(tenantId, id, at) {
      const result = await db
        .updateTable('scim_tokens')
        .set({ revoked_at: at.getTime() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async findUsers(tenantId, query, page) {
      let q = users(tenantId);
      if (query.userName !== undefined) q = q.where('users.email', '=', query.userName);
      if (query.externalId !== undefined) q = q.where('scim_users.external_id', '=', query.externalId);
      const email = query.email;
      if (email !== undefined) {
        q = q.where((eb) =>
          eb.or([
            eb('users.email', '=', email),
            eb(
              'users.id',
              'in',
              eb
                .selectFrom('scim_user_emails')
                .select('scim_user_emails.user_id')
                .where('scim_user_emails.tenant_id', '=', tenantId)
                .where('scim_user_emails.value', '=', email),
            ),
          ]),
        );
      }
      const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      const total = Number(counted?.n ?? 0);
      if (page.limit === 0 || page.offset >= total) return { total, users: [] };
      const rows = await q
        .selectAll('users')
        .select(LINK_COLUMNS)
        .orderBy('users.created_at')
        .orderBy('users.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { total, users: rows.map((r) => ({ user: userRow.from(r), link: scimLinkFrom(r) })) };
    },
    async getUser(tenantId, id) {
      const row = await users(tenantId)
        .where('users.id', '=', id)
        .selectAll('users')
        .select(LINK_COLUMNS)
        .executeTakeFirst();
      return row ? ({ user: userRow.from(row), link: scimLinkFrom(row) } satisfies ScimUser) : undefined;
    },
    async createUser(user: User, link: ScimUserLink) {
      await constrained(`a user named "${link.userName}" in this tenant`, () =>
        withRevision(db, async (trx) => {
          await trx.insertInto('users').values(userRow.to(user)).execute();
          await trx
            .insertInto('scim_users')
            .values(scimLinkRow.to(user.tenantId, user.id, link))
            .execute();
          await writeEmails(trx, user.tenantId, user.id, link.emails);
        }),
      );
    },
    async updateUser(tenantId, id, changes, link, at) {
      return constrained(`a user named "${link.userName}" in this tenant`, () =>
        changing(db, async (trx) => {
          const before = await trx
            .selectFrom('users')
            .select('email')
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .executeTakeFirst();
          // A new address is not verified by the old one's proof (OIDC Core §5.1 `email_verified`), and
          // the links mailed to the old address no longer reset or verify anything.
          const moved = before !== undefined && before.email.toLowerCase() !== changes.email.toLowerCase();
          const result = await trx
            .updateTable('users')
            .set({
              email: changes.email,
              given_name: changes.givenName,
              family_name: changes.familyName,
              updated_at: at.getTime(),
              ...(moved ? { email_verified: 0 } : {}),
            })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .executeTakeFirst();
          if (result.numUpdatedRows === 0n) return false;
          if (moved) {
            for (const table of ['password_resets', 'email_verifications'] as const) {
              await trx
                .updateTable(table)
                .set({ used_at: at.getTime() })
                .where('user_id', '=', id)
                .where('used_at', 'is', null)
                .execute();
            }
          }
          await trx.deleteFrom('scim_users').where('user_id', '=', id).execute();
          await trx
            .insertInto('scim_users')
            .values(scimLinkRow.to(tenantId, id, link))
            .execute();
          await writeEmails(trx, tenantId, id, link.emails);
          return true;
        }),
      );
    },
    async releaseUser(tenantId, id, at) {
      return changing(db, async (trx) => {
        const row = await trx
          .selectFrom('users')
          .leftJoin('scim_users', 'scim_users.user_id', 'users.id')
          .select(['users.email', 'users.created_at', 'scim_users.released_at'])
          .where('users.tenant_id', '=', tenantId)
          .where('users.id', '=', id)
          .executeTakeFirst();
        if (!row || row.released_at !== null) return false;
        // A name no sign-in or SCIM request can present (no '@', a ':'), so the login name is free.
        await trx
          .updateTable('users')
          .set({ email: `released:${id}`, updated_at: at.getTime() })
          .where('id', '=', id)
          .execute();
        await trx.deleteFrom('scim_users').where('user_id', '=', id).execute();
        await trx
          .insertInto('scim_users')
          .values({
            user_id: id,
            tenant_id: tenantId,
            user_name: row.email,
            external_id: null,
            attributes: '{}',
            created_at: at.getTime(),
            updated_at: at.getTime(),
            released_at: at.getTime(),
          })
          .execute();
        await trx.deleteFrom('scim_user_emails').where('user_id', '=', id).execute();
        await trx.deleteFrom('scim_group_members').where('user_id', '=', id).execute();
        return true;
      });
    },

    listGroups: (tenantId) => groupsWhere(tenantId),
    async getGroup(tenantId, id) {
      return (await groupsWhere(tenantId, [id]))[0];
    },
    async createGroup(group) {
      await constrained(`a group named "${group.displayName}" in this tenant`, () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('scim_groups').values(groupRow(group)).execute();
          await writeMembers(trx, group);
        }),
      );
    },
    async replaceGroup(group) {
      return constrained(`a group named "${group.displayName}" in this tenant`, () =>
        db.transaction().execute(async (trx) => {
          const { created_at: _created, id: _id, tenant_id: _tenant, ...set } = groupRow(group);
          const result = await trx
            .updateTable('scim_groups')
            .set(set)
            .where('tenant_id', '=', group.tenantId)
            .where('id', '=', group.id)
            .executeTakeFirst();
          if (result.numUpdatedRows === 0n) return false;
          await writeMembers(trx, group);
          return true;
        }),
      );
    },
    async deleteGroup(tenantId, id) {
      return db.transaction().execute(async (trx) => {
        const found = await trx
          .selectFrom('scim_groups')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (!found) return false;
        await trx.deleteFrom('scim_group_members').where('group_id', '=', id).execute();
        await trx.deleteFrom('scim_groups').where('id', '=', id).execute();
        return true;
      });
    },
    async groupsOf(tenantId, userId) {
      const rows = await db
        .selectFrom('scim_group_members')
        .select('group_id')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      return groupsWhere(
        tenantId,
        rows.map((r) => r.group_id),
      );
    },
    async existingUsers(tenantId, ids) {
      const found = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await users(tenantId)
          .where('users.id', 'in', ids.slice(i, i + 500))
          .select('users.id')
          .execute();
        for (const row of rows) found.add(row.id);
      }
      return found;
    },
    async roleNames(tenantId) {
      const rows = await db
        .selectFrom('users')
        .select('role_legacy_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .execute();
      return rows.map((r) => r.role_legacy_id);
    },
  };
}
