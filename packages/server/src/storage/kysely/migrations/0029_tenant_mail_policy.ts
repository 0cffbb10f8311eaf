// Per-tenant password policy and mail templates (docs/people.md): a tenant's shortest password
// (null: the service's CXAUTH_PASSWORD_MIN_LENGTH) and its own subject, text and HTML of each mail
// (a null part: the built-in default's).
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function tenantMailPolicy(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('tenants').addColumn('password_min_length', 'integer').execute();
      await db.schema
        .createTable('mail_templates')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('text_body', 'text')
        .addColumn('html_body', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('mail_templates_pk', ['tenant_id', 'name'])
        .execute();
    },
  };
}
