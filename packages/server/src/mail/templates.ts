// The mail templates: one registry entry per mail the service sends, with the placeholders it documents
// and its built-in subject, text and HTML. A tenant may store its own parts (mail/tenant-templates.ts);
// both are logic-less Mustache (`{{name}}` only, parsed by the `mustache` package) and rendered here:
// every value is escaped in the HTML part, and a template is checked before it is stored.
import Mustache from 'mustache';
import { escapeHtml } from '../domain/html.js';
import { MAIL_PART_LIMITS, type MailPart, type MailParts } from '../domain/mail.js';

/** One mail as the outbox stores it (sealed) and the worker sends it. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type { MailPart, MailParts } from '../domain/mail.js';
export { MAIL_PART_LIMITS, MAIL_PARTS } from '../domain/mail.js';

export interface MailTemplateDefinition {
  /** What the mail is for, in one line. */
  readonly description: string;
  /** The placeholders it fills, each with what it holds; no other placeholder may be used. */
  readonly placeholders: Readonly<Record<string, string>>;
  /** Whether it carries the `{{link}}` placeholder, which its text and HTML parts must then use. */
  readonly link: boolean;
  /** Values for a preview. */
  readonly sample: Readonly<Record<string, string>>;
  readonly defaults: MailParts;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem">${body}</body></html>`;

const EMAIL = 'the e-mail address the mail is sent to';
const TENANT = "the tenant's name";

/**
 * Every mail the service sends, by the name the outbox and the metrics' `template` label use. A new
 * mail is one entry here: the admin API, the CLI and the console list what this registry holds.
 */
export const MAIL_TEMPLATES = {
  password_reset: {
    description: 'The link to set a new password, asked for on the sign-in page',
    placeholders: {
      link: 'the single-use link to the new-password page',
      email: EMAIL,
      tenant: TENANT,
      expires: 'how long the link works, e.g. "60 minutes"',
    },
    link: true,
    sample: {
      link: 'https://auth.example.com/auth/password-reset/confirm?token=EXAMPLE',
      email: 'person@example.com',
      expires: '60 minutes',
    },
    defaults: {
      subject: 'Reset your password',
      text: `Someone (we hope you) asked to reset the password of {{email}} at {{tenant}}.

Set a new password here (the link works once, for {{expires}}):
{{link}}

If you did not ask for this, ignore this mail: your password stays as it is.
`,
      html: page(
        'Reset your password',
        '<p>Someone (we hope you) asked to reset the password of <strong>{{email}}</strong> at {{tenant}}.</p>' +
          '<p><a href="{{link}}">Set a new password</a> (the link works once, for {{expires}}).</p>' +
          '<p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
      ),
    },
  },
  password_changed: {
    description: 'The notice that a password was reset and the sessions ended',
    placeholders: { email: EMAIL, tenant: TENANT, time: 'when it happened (UTC, ISO 8601)' },
    link: false,
    sample: { email: 'person@example.com', time: '2026-01-01T12:00:00.000Z' },
    defaults: {
      subject: 'Your password was changed',
      text: `The password of {{email}} at {{tenant}} was reset at {{time}}, and every session signed in with it was ended.

If this was not you, reset your password again at once and tell your administrator.
`,
      html: page(
        'Your password was changed',
        '<p>The password of <strong>{{email}}</strong> at {{tenant}} was reset at {{time}}, and every session signed in with it was ended.</p>' +
          '<p>If this was not you, reset your password again at once and tell your administrator.</p>',
      ),
    },
  },
  invitation: {
    description: 'The invitation to join the tenant, with the link to choose a password',
    placeholders: {
      link: 'the single-use link to the invitation page',
      email: EMAIL,
      tenant: TENANT,
      expires: 'how long the link works, e.g. "7 days"',
    },
    link: true,
    sample: {
      link: 'https://auth.example.com/auth/invitation?token=EXAMPLE',
      email: 'person@example.com',
      expires: '7 days',
    },
    defaults: {
      subject: 'You are invited to {{tenant}}',
      text: `You are invited to sign in to {{tenant}} as {{email}}.

Choose your password here (the link works once, for {{expires}}):
{{link}}

If you did not expect this, ignore this mail: no account is made without you.
`,
      html: page(
        'You are invited to {{tenant}}',
        '<p>You are invited to sign in to {{tenant}} as <strong>{{email}}</strong>.</p>' +
          '<p><a href="{{link}}">Choose your password</a> (the link works once, for {{expires}}).</p>' +
          '<p>If you did not expect this, ignore this mail: no account is made without you.</p>',
      ),
    },
  },
  email_verification: {
    description: 'The link to verify the e-mail address, mailed at sign-in where the tenant asks for it',
    placeholders: {
      link: 'the single-use link to the verification page',
      email: EMAIL,
      tenant: TENANT,
      expires: 'how long the link works, e.g. "60 minutes"',
    },
    link: true,
    sample: {
      link: 'https://auth.example.com/auth/email-verification/confirm?token=EXAMPLE',
      email: 'person@example.com',
      expires: '60 minutes',
    },
    defaults: {
      subject: 'Verify your e-mail address',
      text: `Someone (we hope you) signed in to {{tenant}} as {{email}}, which asks that you verify this address first.

Verify it here (the link works once, for {{expires}}):
{{link}}

If this was not you, ignore this mail, and change your password: whoever signed in knows it.
`,
      html: page(
        'Verify your e-mail address',
        '<p>Someone (we hope you) signed in to {{tenant}} as <strong>{{email}}</strong>, which asks that you verify this address first.</p>' +
          '<p><a href="{{link}}">Verify my e-mail address</a> (the link works once, for {{expires}}).</p>' +
          '<p>If this was not you, ignore this mail, and change your password: whoever signed in knows it.</p>',
      ),
    },
  },
} as const satisfies Record<string, MailTemplateDefinition>;

/** What a template is called by (the metrics' `template` label). */
export type MailTemplate = keyof typeof MAIL_TEMPLATES;

export const MAIL_TEMPLATE_NAMES = Object.keys(MAIL_TEMPLATES) as MailTemplate[];

export function isMailTemplate(name: string): name is MailTemplate {
  return Object.hasOwn(MAIL_TEMPLATES, name);
}

export function mailTemplate(name: MailTemplate): MailTemplateDefinition {
  return MAIL_TEMPLATES[name];
}

/** A Mustache token: [type, value, start, end, …]. */
type Token = [string, string, number, number, ...unknown[]];

/** The tokens of a template (a fresh writer: tenants' templates are not cached forever). */
function tokens(source: string): Token[] {
  return new Mustache.Writer().parse(source) as Token[];
}

/**
 * Why `source` may not be the `part` of template `name`, one message per problem (none: it may). Only
 * `{{placeholder}}` of the documented names and `{{! comments }}`: no sections, partials, triple braces
 * (an unescaped value) or delimiter changes.
 */
export function templateProblems(name: MailTemplate, part: MailPart, source: string): string[] {
  const def = mailTemplate(name);
  const limit = MAIL_PART_LIMITS[part];
  if (source.length > limit) return [`the ${part} is longer than ${limit} characters`];
  if (part === 'subject' && /[\r\n]/.test(source)) return ['the subject must be one line'];
  let parsed: Token[];
  try {
    parsed = tokens(source);
  } catch (err) {
    return [`the ${part} is not a valid template: ${err instanceof Error ? err.message : 'unreadable'}`];
  }
  const problems: string[] = [];
  const unknown = new Set<string>();
  const used = new Set<string>();
  for (const [type, value] of parsed) {
    if (type === 'text' || type === '!') continue;
    if (type === 'name') {
      if (Object.hasOwn(def.placeholders, value)) used.add(value);
      else unknown.add(value);
      continue;
    }
    problems.push(
      `the ${part} uses "${type === '&' || type === '{' ? `{{{${value}}}}` : `{{${type}${value}}}`}": only {{placeholder}} is allowed (values are always escaped, no sections or partials)`,
    );
  }
  if (unknown.size > 0) {
    const allowed = Object.keys(def.placeholders)
      .map((p) => `{{${p}}}`)
      .join(', ');
    problems.push(
      `the ${part} uses unknown placeholders ${[...unknown].map((p) => `{{${p}}}`).join(', ')} (${name} has ${allowed})`,
    );
  }
  // A subject is shown in notifications and previews and kept in relays' logs: never the link there.
  if (part === 'subject' && used.has('link')) {
    problems.push(
      'the subject may not contain {{link}}: subjects are shown and logged where the link must not be',
    );
  }
  if (def.link && part !== 'subject' && !used.has('link')) {
    problems.push(`the ${part} must contain {{link}}: without it the mail is of no use`);
  }
  return problems;
}

/** Fills `source` with `values`; `escape` is applied to every value (the HTML part's). */
function fill(source: string, values: Readonly<Record<string, string>>, escapeValue: (s: string) => string) {
  let out = '';
  for (const [type, value] of tokens(source)) {
    if (type === 'text') out += value;
    else if (type === 'name') out += escapeValue(values[value] ?? '');
  }
  return out;
}

const plain = (s: string) => s;

/**
 * Renders a template's parts for `to`: the subject on one line, the text as it is, every value in the
 * HTML part escaped. The parts were checked (templateProblems) when they were stored.
 */
export function renderMail(
  parts: MailParts,
  to: string,
  values: Readonly<Record<string, string>>,
): MailMessage {
  return {
    to,
    subject: fill(parts.subject, values, plain).replace(/[\r\n]+/g, ' '),
    text: fill(parts.text, values, plain),
    html: fill(parts.html, values, escapeHtml),
  };
}
