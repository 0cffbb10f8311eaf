// Mail template rows: the mail_templates table (migration 0029) and its mapping.
import type { Selectable } from 'kysely';
import type { StoredMailTemplate } from '../../contract/mail-templates.js';
import { type Millis, toDate } from '../rows.js';

export interface MailTemplatesTable {
  tenant_id: string;
  name: string;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
  updated_at: Millis;
}

export const mailTemplateRow = {
  from: (r: Selectable<MailTemplatesTable>): StoredMailTemplate => ({
    tenantId: r.tenant_id,
    name: r.name,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    updatedAt: toDate(r.updated_at),
  }),
  to: (t: StoredMailTemplate) => ({
    tenant_id: t.tenantId,
    name: t.name,
    subject: t.subject,
    text_body: t.text,
    html_body: t.html,
    updated_at: t.updatedAt.getTime(),
  }),
};
