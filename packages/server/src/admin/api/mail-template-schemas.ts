// The admin API's mail template schemas (docs/people.md, "Templates"): a tenant's template as shown,
// its change, and a preview. Listed in schemas.ts COMPONENTS like the others.
import { Type } from '@sinclair/typebox';
import { MAIL_PART_LIMITS } from '../../domain/mail.js';

const strict = { additionalProperties: false } as const;
const Time = Type.Union([Type.String(), Type.Null()]);
const Part = Type.Union([Type.Literal('subject'), Type.Literal('text'), Type.Literal('html')]);

/** A body may hold a whole HTML part (100,000 characters, escaped as JSON): more than the usual limit. */
export const MAIL_TEMPLATE_BODY_LIMIT = 1024 * 1024;

export const MailTemplate = Type.Object(
  {
    name: Type.String({ description: 'e.g. password_reset, password_changed, invitation' }),
    tenantId: Type.String(),
    description: Type.String(),
    customised: Type.Boolean({ description: 'the tenant stored parts of its own' }),
    customised_parts: Type.Array(Part, { description: "the parts that are the tenant's own" }),
    placeholders: Type.Array(Type.Object({ name: Type.String(), description: Type.String() }), {
      description: 'the only {{placeholders}} the template may use',
    }),
    link_required: Type.Boolean({ description: 'the text and HTML parts must contain {{link}}' }),
    subject: Type.String(),
    text: Type.String(),
    html: Type.String(),
    updatedAt: Time,
  },
  { $id: 'MailTemplate' },
);

const parts = {
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: MAIL_PART_LIMITS.subject })),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: MAIL_PART_LIMITS.text })),
  html: Type.Optional(Type.String({ minLength: 1, maxLength: MAIL_PART_LIMITS.html })),
};

export const PutMailTemplate = Type.Object(parts, {
  ...strict,
  minProperties: 1,
  $id: 'PutMailTemplate',
  description:
    'the parts given replace the tenant’s; a part not given stays as it is (its own or the default)',
});

export const PreviewMailTemplate = Type.Object(parts, {
  ...strict,
  $id: 'PreviewMailTemplate',
  description: 'parts to try (checked, not stored); absent: the stored ones or the defaults',
});

export const MailPreview = Type.Object(
  { subject: Type.String(), text: Type.String(), html: Type.String() },
  { $id: 'MailPreview', description: 'the mail rendered with sample values' },
);

export const MAIL_TEMPLATE_COMPONENTS = [MailTemplate, PutMailTemplate, PreviewMailTemplate, MailPreview];
