// The contract of tenants' own mail templates (docs/people.md, "Templates"): at most one row per tenant
// and template name; a part left null is the built-in default's.
export interface StoredMailTemplate {
  readonly tenantId: string;
  /** A name of the registry (mail/templates.ts MAIL_TEMPLATES). */
  readonly name: string;
  readonly subject: string | null;
  readonly text: string | null;
  readonly html: string | null;
  readonly updatedAt: Date;
}

export interface MailTemplateRepository {
  /** The tenant's stored templates, by name. */
  list(tenantId: string): Promise<StoredMailTemplate[]>;
  get(tenantId: string, name: string): Promise<StoredMailTemplate | undefined>;
  /** Stores the tenant's template, replacing the one it had. */
  put(template: StoredMailTemplate): Promise<void>;
  /** Removes it (the defaults apply again); false when the tenant had none of that name. */
  remove(tenantId: string, name: string): Promise<boolean>;
}
