// `cxauth admin mail-template …`: a tenant's mail templates (docs/people.md, "Templates"). Each part
// comes from a file (`--text-file`, `--html-file`, `--subject-file`) or, for the one-line subject,
// `--subject`; what is not given stays as it is.
import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from '../../io.js';
import { type Kind, optional, required, type Values, type Verb } from './spec.js';

const tenant = { tenant: { type: 'string', description: 'tenant id' } } as const;
const parts = {
  subject: { type: 'string', description: 'the subject (one line)' },
  'subject-file': { type: 'string', description: 'a file holding the subject' },
  'text-file': { type: 'string', description: 'a file holding the text part' },
  'html-file': { type: 'string', description: 'a file holding the HTML part' },
} as const;

async function file(v: Values, name: string): Promise<string | undefined> {
  const path = optional(v, name);
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new CliError(`cannot read --${name} ${path}`, EXIT.usage);
  }
}

/** The parts given on the command line; a file's final newline is kept, except the subject's. */
async function partsOf(v: Values): Promise<{ subject?: string; text?: string; html?: string }> {
  if (optional(v, 'subject') !== undefined && optional(v, 'subject-file') !== undefined) {
    throw new CliError('use --subject or --subject-file, not both', EXIT.usage);
  }
  const subject = optional(v, 'subject') ?? (await file(v, 'subject-file'))?.replace(/\r?\n$/, '');
  const text = await file(v, 'text-file');
  const html = await file(v, 'html-file');
  return {
    ...(subject === undefined ? {} : { subject }),
    ...(text === undefined ? {} : { text }),
    ...(html === undefined ? {} : { html }),
  };
}

const named = (run: Verb['run'], usage: string, options = {}): Verb => ({
  usage,
  id: 'NAME',
  options: { ...tenant, ...options },
  run,
});

/** The list in one line per template: its name, whether it is the tenant's own, its placeholders. */
function listing(result: unknown): string {
  const items = result as { name: string; customised_parts: string[]; placeholders: { name: string }[] }[];
  return items
    .map((t) => {
      const own = t.customised_parts.length > 0 ? `own ${t.customised_parts.join(',')}` : 'default';
      return `${t.name}  ${own}  ${t.placeholders.map((p) => `{{${p.name}}}`).join(' ')}`;
    })
    .join('\n');
}

export const MAIL_TEMPLATE: Kind = {
  summary: "a tenant's mail templates: its own subject, text and HTML, or the defaults",
  verbs: {
    list: {
      usage: '--tenant ID',
      options: tenant,
      run: (admin, v) => admin.listMailTemplates(required(v, 'tenant')),
      format: listing,
    },
    show: named(
      (admin, v, id) => admin.showMailTemplate(required(v, 'tenant'), id ?? ''),
      'NAME --tenant ID',
    ),
    set: named(
      async (admin, v, id) => {
        const given = await partsOf(v);
        if (Object.keys(given).length === 0) {
          throw new CliError(
            'name what changes: --subject, --subject-file, --text-file or --html-file',
            EXIT.usage,
          );
        }
        return admin.setMailTemplate(required(v, 'tenant'), id ?? '', given);
      },
      'NAME --tenant ID [--subject S | --subject-file F] [--text-file F] [--html-file F]',
      parts,
    ),
    reset: named(
      (admin, v, id) => admin.resetMailTemplate(required(v, 'tenant'), id ?? ''),
      'NAME --tenant ID  (the defaults apply again)',
    ),
    preview: named(
      async (admin, v, id) => admin.previewMailTemplate(required(v, 'tenant'), id ?? '', await partsOf(v)),
      'NAME --tenant ID [--subject S | --subject-file F] [--text-file F] [--html-file F]  (sample values)',
      parts,
    ),
  },
};

/** `cxauth admin tenant password-policy ID --min-length N | --default`. */
export const PASSWORD_POLICY: Verb = {
  usage: "ID --min-length N | --default  (8 to 64; --default: the service's CXAUTH_PASSWORD_MIN_LENGTH)",
  id: 'ID',
  options: {
    'min-length': { type: 'string', description: 'the shortest password its people may set (8 to 64)' },
    default: { type: 'boolean', description: "back to the service's default" },
  },
  run: (admin, v, id) => {
    const raw = optional(v, 'min-length');
    if ((raw === undefined) === (v['default'] !== true)) {
      throw new CliError('give --min-length N or --default', EXIT.usage);
    }
    if (raw !== undefined && !/^\d+$/.test(raw)) {
      throw new CliError(`--min-length must be a whole number, got "${raw}"`, EXIT.usage);
    }
    return admin.setPasswordMinLength(id ?? '', raw === undefined ? null : Number(raw));
  },
};
