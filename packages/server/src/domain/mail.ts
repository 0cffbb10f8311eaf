// The parts of a mail template and their size limits (docs/people.md, "Templates"): shared by the
// renderer (mail/templates.ts) and the admin API's schemas.

/** The three parts of a template, as stored and edited. */
export const MAIL_PARTS = ['subject', 'text', 'html'] as const;
export type MailPart = (typeof MAIL_PARTS)[number];
export type MailParts = Readonly<Record<MailPart, string>>;

/** The longest part a tenant may store, in characters. */
export const MAIL_PART_LIMITS: Readonly<Record<MailPart, number>> = Object.freeze({
  subject: 200,
  text: 20_000,
  html: 100_000,
});
