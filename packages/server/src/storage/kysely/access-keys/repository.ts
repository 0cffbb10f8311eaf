// Access-key repository, including the one-query lookup of a key with its user and tenant that the
// password grant makes on every token request.
import type { Kysely } from 'kysely';
import type { AccessKey, Status } from '../../../domain/types.js';
import type { AccessKeyRepository } from '../../contract/access-keys.js';
import { prepare } from '../prepared.js';
import { changing, withRevision } from '../revision/queries.js';
import { constrained } from '../rows.js';
import type { Database } from '../schema.js';
import { tenantRow } from '../tenants/table.js';
import { userRow } from '../users/table.js';
import { accessKeyRow } from './table.js';

/** A use within this window of the recorded one is not written again (one write per key per minute). */
const TOUCH_INTERVAL_MS = 60_000;

export function accessKeyRepository(db: Kysely<Database>): AccessKeyRepository {
  /** The key with its user and tenant: the password grant's one read. */
  const withOwner = prepare((a: { id: string }) =>
    db
      .selectFrom('access_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .innerJoin('tenants as t', 't.id', 'k.tenant_id')
      .select([
        'k.id as k_id',
        'k.user_id as k_user_id',
        'k.tenant_id as k_tenant_id',
        'k.secret_hash as k_secret_hash',
        'k.status as k_status',
        'k.created_at as k_created_at',
        'k.last_used_at as k_last_used_at',
        'k.deactivated_by as k_deactivated_by',
        'u.id as u_id',
        'u.tenant_id as u_tenant_id',
        'u.email as u_email',
        'u.given_name as u_given_name',
        'u.family_name as u_family_name',
        'u.role_id as u_role_id',
        'u.role_legacy_id as u_role_legacy_id',
        'u.role_updated_at as u_role_updated_at',
        'u.secondary_roles as u_secondary_roles',
        'u.is_operator as u_is_operator',
        'u.email_verified as u_email_verified',
        'u.status as u_status',
        'u.created_at as u_created_at',
        'u.updated_at as u_updated_at',
        't.id as t_id',
        't.name as t_name',
        't.area as t_area',
        't.cluster as t_cluster',
        't.business_unit_id as t_business_unit_id',
        't.cluster_id as t_cluster_id',
        't.is_private as t_is_private',
        't.access_key_self_service as t_access_key_self_service',
        't.sso_required as t_sso_required',
        't.password_min_length as t_password_min_length',
        't.email_verification_required as t_email_verification_required',
        't.status as t_status',
        't.created_at as t_created_at',
        't.updated_at as t_updated_at',
      ])
      .where('k.id', '=', a.id),
  );
  return {
    async create(key: AccessKey) {
      await constrained(`access key ${key.id}`, () =>
        withRevision(db, (trx) => trx.insertInto('access_keys').values(accessKeyRow.to(key)).execute()),
      );
    },
    async get(id) {
      const row = await db.selectFrom('access_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? accessKeyRow.from(row) : undefined;
    },
    async getWithOwner(id) {
      const r = (await withOwner.execute(db, { id })).rows[0];
      if (!r) return undefined;
      return {
        key: accessKeyRow.from({
          id: r.k_id,
          user_id: r.k_user_id,
          tenant_id: r.k_tenant_id,
          secret_hash: r.k_secret_hash,
          status: r.k_status,
          created_at: r.k_created_at,
          last_used_at: r.k_last_used_at,
          deactivated_by: r.k_deactivated_by,
        }),
        user: userRow.from({
          id: r.u_id,
          tenant_id: r.u_tenant_id,
          email: r.u_email,
          given_name: r.u_given_name,
          family_name: r.u_family_name,
          role_id: r.u_role_id,
          role_legacy_id: r.u_role_legacy_id,
          role_updated_at: r.u_role_updated_at,
          secondary_roles: r.u_secondary_roles,
          is_operator: r.u_is_operator,
          email_verified: r.u_email_verified,
          status: r.u_status,
          created_at: r.u_created_at,
          updated_at: r.u_updated_at,
        }),
        tenant: tenantRow.from({
          id: r.t_id,
          name: r.t_name,
          area: r.t_area,
          cluster: r.t_cluster,
          business_unit_id: r.t_business_unit_id,
          cluster_id: r.t_cluster_id,
          is_private: r.t_is_private,
          access_key_self_service: r.t_access_key_self_service,
          sso_required: r.t_sso_required,
          password_min_length: r.t_password_min_length,
          email_verification_required: r.t_email_verification_required,
          status: r.t_status,
          created_at: r.t_created_at,
          updated_at: r.t_updated_at,
        }),
      };
    },
    async list(filter = {}) {
      let query = db.selectFrom('access_keys').selectAll();
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(accessKeyRow.from);
    },
    async setStatus(id, status: Status, _at, by = 'administrator') {
      return changing(db, async (trx) => {
        const result = await trx
          .updateTable('access_keys')
          .set({ status, deactivated_by: status === 'inactive' ? by : null })
          .where('id', '=', id)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },
    async touch(id, at) {
      const ms = at.getTime();
      await db
        .updateTable('access_keys')
        .set({ last_used_at: ms })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', ms - TOUCH_INTERVAL_MS)]),
        )
        .execute();
    },
  };
}
