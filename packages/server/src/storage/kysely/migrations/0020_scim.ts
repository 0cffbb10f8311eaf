// SCIM provisioning (RFC 7643/7644, docs/scim.md): a tenant's bearer tokens (hashed), what SCIM keeps of
// a user beside its users row (userName as sent, externalId, the other attributes), the e-mail values a
// filter looks up, and the tenant's groups with their members.
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function scim(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('scim_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', bytes, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('scim_tokens_tenant')
        .on('scim_tokens')
        .columns(['tenant_id', 'id'])
        .execute();

      await db.schema
        .createTable('scim_users')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        // Set by SCIM DELETE: the resource is gone (RFC 7644 §3.6), the deactivated user row stays.
        .addColumn('released_at', 'bigint')
        .execute();
      // Users pages in creation order (RFC 7644 §3.4.2.4) without sorting the tenant each time.
      await db.schema
        .createIndex('users_tenant_created')
        .on('users')
        .columns(['tenant_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('scim_users_tenant_external')
        .on('scim_users')
        .columns(['tenant_id', 'external_id'])
        .execute();

      await db.schema
        .createTable('scim_user_emails')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scim_user_emails_pk', ['user_id', 'value'])
        .execute();
      await db.schema
        .createIndex('scim_user_emails_tenant_value')
        .on('scim_user_emails')
        .columns(['tenant_id', 'value'])
        .execute();

      await db.schema
        .createTable('scim_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('display_name', 'text', (c) => c.notNull())
        // displayName lower-cased: unique per tenant, as case-insensitive as RFC 7643 §4.2 reads it.
        .addColumn('display_key', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('scim_groups_tenant_display', ['tenant_id', 'display_key'])
        .execute();

      await db.schema
        .createTable('scim_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scim_group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('scim_group_members_user')
        .on('scim_group_members')
        .columns(['user_id'])
        .execute();
    },
  };
}
