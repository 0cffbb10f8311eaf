// The default mail templates, text and HTML: what a password reset link, an invitation, an e-mail
// verification link and the notice of a changed password say. Every value is escaped in the HTML part.
import { escapeHtml } from '../interaction/html.js';

/** One mail as the outbox stores it (sealed) and the worker sends it. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What a template is called by (the metrics' `template` label). */
export type MailTemplate = 'password_reset' | 'password_changed' | 'invitation' | 'email_verification';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem">${body}</body></html>`;

export function passwordResetMail(o: {
  to: string;
  link: string;
  minutes: number;
  tenant: string;
}): MailMessage {
  const subject = 'Reset your password';
  const text = `Someone (we hope you) asked to reset the password of ${o.to} at ${o.tenant}.

Set a new password here (the link works once, for ${o.minutes} minutes):
${o.link}

If you did not ask for this, ignore this mail: your password stays as it is.
`;
  const html = page(
    subject,
    `<p>Someone (we hope you) asked to reset the password of <strong>${escapeHtml(o.to)}</strong> at ${escapeHtml(o.tenant)}.</p>` +
      `<p><a href="${escapeHtml(o.link)}">Set a new password</a> (the link works once, for ${o.minutes} minutes).</p>` +
      '<p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
  );
  return { to: o.to, subject, text, html };
}

export function invitationMail(o: { to: string; link: string; days: number; tenant: string }): MailMessage {
  const subject = `You are invited to ${o.tenant}`;
  const text = `You are invited to sign in to ${o.tenant} as ${o.to}.

Choose your password here (the link works once, for ${o.days} days):
${o.link}

If you did not expect this, ignore this mail: no account is made without you.
`;
  const html = page(
    subject,
    `<p>You are invited to sign in to ${escapeHtml(o.tenant)} as <strong>${escapeHtml(o.to)}</strong>.</p>` +
      `<p><a href="${escapeHtml(o.link)}">Choose your password</a> (the link works once, for ${o.days} days).</p>` +
      '<p>If you did not expect this, ignore this mail: no account is made without you.</p>',
  );
  return { to: o.to, subject, text, html };
}

export function passwordChangedMail(o: { to: string; tenant: string; at: Date }): MailMessage {
  const subject = 'Your password was changed';
  const when = o.at.toISOString();
  const text = `The password of ${o.to} at ${o.tenant} was reset at ${when}, and every session signed in with it was ended.

If this was not you, reset your password again at once and tell your administrator.
`;
  const html = page(
    subject,
    `<p>The password of <strong>${escapeHtml(o.to)}</strong> at ${escapeHtml(o.tenant)} was reset at ${escapeHtml(when)}, and every session signed in with it was ended.</p>` +
      '<p>If this was not you, reset your password again at once and tell your administrator.</p>',
  );
  return { to: o.to, subject, text, html };
}

export function emailVerificationMail(o: {
  to: string;
  link: string;
  minutes: number;
  tenant: string;
}): MailMessage {
  const subject = 'Verify your e-mail address';
  const text = `Someone (we hope you) signed in to ${o.tenant} as ${o.to}, which asks that you verify this address first.

Verify it here (the link works once, for ${o.minutes} minutes):
${o.link}

If this was not you, ignore this mail, and change your password: whoever signed in knows it.
`;
  const html = page(
    subject,
    `<p>Someone (we hope you) signed in to ${escapeHtml(o.tenant)} as <strong>${escapeHtml(o.to)}</strong>, which asks that you verify this address first.</p>` +
      `<p><a href="${escapeHtml(o.link)}">Verify my e-mail address</a> (the link works once, for ${o.minutes} minutes).</p>` +
      '<p>If this was not you, ignore this mail, and change your password: whoever signed in knows it.</p>',
  );
  return { to: o.to, subject, text, html };
}
