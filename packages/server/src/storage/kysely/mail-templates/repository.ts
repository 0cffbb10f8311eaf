// Tenants' mail templates: one row per (tenant, name), replaced whole by an upsert.
import type { Kysely } from 'kysely';
import type { MailTemplateRepository } from '../../contract/mail-templates.js';
import type { Database } from '../schema.js';
import { mailTemplateRow } from './table.js';

export function mailTemplateRepository(db: Kysely<Database>): MailTemplateRepository {
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('mail_templates')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .execute();
      return rows.map(mailTemplateRow.from);
    },
    async get(tenantId, name) {
      const row = await db
        .selectFrom('mail_templates')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && mailTemplateRow.from(row);
    },
    async put(template) {
      const row = mailTemplateRow.to(template);
      await db
        .insertInto('mail_templates')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'name']).doUpdateSet({
            subject: row.subject,
            text_body: row.text_body,
            html_body: row.html_body,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },
    async remove(tenantId, name) {
      const result = await db
        .deleteFrom('mail_templates')
        .where('tenant_id', '=', tenantId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
