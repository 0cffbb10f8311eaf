// A tenant's mail: its own template where it stored one, part by part, else the built-in default
// (mail/templates.ts). Rendered when the mail is written to the outbox, so a queued mail says what the
// template said then; a later change of the template does not alter it (docs/people.md, "Templates").
import type { Storage } from '../storage/contract/index.js';
import {
  type MailMessage,
  type MailParts,
  type MailTemplate,
  mailTemplate,
  renderMail,
} from './templates.js';

/** The parts a tenant's mail is made of: each stored part, else the default's. */
export async function tenantMailParts(
  storage: Pick<Storage, 'mailTemplates'>,
  tenantId: string,
  name: MailTemplate,
): Promise<MailParts> {
  const defaults = mailTemplate(name).defaults;
  const stored = await storage.mailTemplates.get(tenantId, name);
  return {
    subject: stored?.subject ?? defaults.subject,
    text: stored?.text ?? defaults.text,
    html: stored?.html ?? defaults.html,
  };
}

/**
 * The mail `name` of tenant `tenantId` to `to`, with the placeholders' values (escaped in HTML).
 *
 * A platform operator always gets the built-in mail: a tenant's template is written by the tenant's
 * Administrators, who could carry the link in it to a server of theirs (`<img src="…?{{link}}">`), and
 * an operator's reset link is power over every tenant, which no tenant's Administrator has.
 */
export async function tenantMail(
  storage: Pick<Storage, 'mailTemplates'>,
  o: {
    tenantId: string;
    name: MailTemplate;
    to: string;
    values: Readonly<Record<string, string>>;
    /** The recipient is a platform operator: the built-in template, whatever the tenant stored. */
    operator?: boolean;
  },
): Promise<MailMessage> {
  const parts =
    o.operator === true ? mailTemplate(o.name).defaults : await tenantMailParts(storage, o.tenantId, o.name);
  return renderMail(parts, o.to, o.values);
}

/** "1 minute", "60 minutes", "7 days": how long a link works, as the mails say it. */
export function duration(amount: number, unit: 'minute' | 'day'): string {
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
