// A tenant's mail templates (docs/people.md, "Templates"): each mail of the registry (mail/templates.ts)
// with the tenant's own parts or the defaults, checked before they are stored, previewed with sample
// values, and reset to the defaults. Answered in the admin API's shapes.
import type { Tenant } from '../../domain/types.js';
import {
  isMailTemplate,
  MAIL_PARTS,
  MAIL_TEMPLATE_NAMES,
  type MailMessage,
  type MailPart,
  type MailParts,
  type MailTemplate,
  mailTemplate,
  renderMail,
  templateProblems,
} from '../../mail/templates.js';
import { tenantMailParts } from '../../mail/tenant-templates.js';
import { AdminError } from '../../protocol/errors.js';
import { type AdminContext, invalid, iso, notFound } from './context.js';

export interface MailTemplateView {
  name: string;
  tenantId: string;
  description: string;
  /** Whether the tenant stored any part of its own. */
  customised: boolean;
  /** Which parts are the tenant's (the others are the defaults'). */
  customised_parts: MailPart[];
  placeholders: { name: string; description: string }[];
  /** Whether `{{link}}` must appear in the text and HTML parts. */
  link_required: boolean;
  subject: string;
  text: string;
  html: string;
  updatedAt: string | null;
}

/** The parts given to a change or a preview (an absent part: the stored one, else the default). */
export type MailPartsInput = Partial<Record<MailPart, unknown>>;

export interface MailPreview {
  subject: string;
  text: string;
  html: string;
}

export function mailTemplateAdmin(ctx: AdminContext) {
  const tenantOf = async (id: string): Promise<Tenant> => {
    const tenant = await ctx.storage.tenants.get(id);
    if (!tenant) throw notFound('tenant', id);
    return tenant;
  };
  const nameOf = (name: string): MailTemplate => {
    if (!isMailTemplate(name)) {
      throw new AdminError(
        'not_found',
        `no mail template named "${name}" (there are ${MAIL_TEMPLATE_NAMES.join(', ')})`,
      );
    }
    return name;
  };
  const view = async (tenant: Tenant, name: MailTemplate): Promise<MailTemplateView> => {
    const def = mailTemplate(name);
    const stored = await ctx.storage.mailTemplates.get(tenant.id, name);
    const parts = await tenantMailParts(ctx.storage, tenant.id, name);
    return {
      name,
      tenantId: tenant.id,
      description: def.description,
      customised: stored !== undefined,
      customised_parts: MAIL_PARTS.filter((p) => stored?.[p] != null),
      placeholders: Object.entries(def.placeholders).map(([n, description]) => ({ name: n, description })),
      link_required: def.link,
      ...parts,
      updatedAt: iso(stored?.updatedAt ?? null),
    };
  };
  /** The given parts, each checked; a bad one is a 400 naming every problem. */
  const checked = (name: MailTemplate, input: MailPartsInput): Partial<MailParts> => {
    const out: Partial<Record<MailPart, string>> = {};
    for (const part of MAIL_PARTS) {
      const value = input[part];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || value.trim() === '')
        throw invalid(`${part} must be non-empty text`, part);
      const problems = templateProblems(name, part, value);
      if (problems.length > 0) throw invalid(`${problems.join('; ')}`, part);
      out[part] = value;
    }
    return out;
  };
  const sampleValues = (tenant: Tenant, name: MailTemplate) => ({
    ...mailTemplate(name).sample,
    tenant: tenant.name,
  });

  return {
    async listMailTemplates(tenantId: string): Promise<MailTemplateView[]> {
      const tenant = await tenantOf(tenantId);
      return Promise.all(MAIL_TEMPLATE_NAMES.map((name) => view(tenant, name)));
    },
    async showMailTemplate(tenantId: string, name: string): Promise<MailTemplateView> {
      return view(await tenantOf(tenantId), nameOf(name));
    },
    /**
     * Stores the tenant's own parts of template `name`: the parts given replace the ones it stored,
     * the others stay. Queued mail keeps what it said (it was rendered when it was queued).
     */
    async setMailTemplate(tenantId: string, name: string, input: MailPartsInput): Promise<MailTemplateView> {
      const tenant = await tenantOf(tenantId);
      const template = nameOf(name);
      const given = checked(template, input);
      if (Object.keys(given).length === 0) {
        throw invalid('give at least one of subject, text and html');
      }
      const stored = await ctx.storage.mailTemplates.get(tenant.id, template);
      await ctx.storage.mailTemplates.put({
        tenantId: tenant.id,
        name: template,
        subject: given.subject ?? stored?.subject ?? null,
        text: given.text ?? stored?.text ?? null,
        html: given.html ?? stored?.html ?? null,
        updatedAt: ctx.clock(),
      });
      return view(tenant, template);
    },
    /** Removes the tenant's own parts of `name`: the defaults apply again. */
    async resetMailTemplate(tenantId: string, name: string): Promise<MailTemplateView> {
      const tenant = await tenantOf(tenantId);
      const template = nameOf(name);
      await ctx.storage.mailTemplates.remove(tenant.id, template);
      return view(tenant, template);
    },
    /**
     * Renders template `name` with sample values (the tenant's real name): the parts given (checked as
     * a change would be, nothing stored), else the tenant's, else the defaults.
     */
    async previewMailTemplate(
      tenantId: string,
      name: string,
      input: MailPartsInput = {},
    ): Promise<MailPreview> {
      const tenant = await tenantOf(tenantId);
      const template = nameOf(name);
      const parts = {
        ...(await tenantMailParts(ctx.storage, tenant.id, template)),
        ...checked(template, input),
      };
      const values = sampleValues(tenant, template);
      const message: MailMessage = renderMail(parts, 'person@example.com', values);
      return { subject: message.subject, text: message.text, html: message.html };
    },
  };
}
