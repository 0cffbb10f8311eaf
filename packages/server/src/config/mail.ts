// Mail and people's accounts settings (docs/people.md, docs/operations.md): the SMTP server and sender,
// how long reset and invitation links live, the shortest password, and the outbox worker's pace (code
// defaults that tests shorten).
import { ConfigError } from './env.js';

export interface MailConfig {
  /**
   * CXAUTH_SMTP_URL: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS);
   * `?tls.rejectUnauthorized=false` as nodemailer reads it. Unset: mail stays in the outbox.
   */
  readonly smtpUrl: string | undefined;
  /** CXAUTH_SMTP_FROM: the sender (default `no-reply@localhost`). */
  readonly from: string;
  /** CXAUTH_RESET_LINK_TTL: seconds a password reset link works (default 3600). */
  readonly resetLinkTtl: number;
  /** CXAUTH_INVITATION_TTL: seconds an invitation link works (default 7 days). */
  readonly invitationTtl: number;
  /** CXAUTH_PASSWORD_MIN_LENGTH: the shortest password (default 8, NIST SP 800-63B §5.1.1.2). */
  readonly passwordMinLength: number;
  /** How often an idle worker looks for due mail, ms. */
  readonly pollMs: number;
  /** The longest one SMTP attempt may take, ms. */
  readonly timeoutMs: number;
  /** How long a node holds a claimed mail before another may take it, ms (> timeoutMs). */
  readonly leaseMs: number;
  /** Mails sent at once on one node. */
  readonly concurrency: number;
  /** The first retry's delay, ms (doubling up to an hour); a mail is given up after 3 days. */
  readonly retryBaseMs: number;
}

export const MAIL_DEFAULTS: MailConfig = Object.freeze({
  smtpUrl: undefined,
  from: 'no-reply@localhost',
  resetLinkTtl: 3600,
  invitationTtl: 7 * 86_400,
  passwordMinLength: 8,
  pollMs: 1000,
  timeoutMs: 20_000,
  leaseMs: 60_000,
  concurrency: 4,
  retryBaseMs: 30_000,
});

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number of at least ${min}; it is "${raw}".`);
  }
  return value;
}

/** Reads CXAUTH_SMTP_URL, CXAUTH_SMTP_FROM, CXAUTH_RESET_LINK_TTL, CXAUTH_INVITATION_TTL, CXAUTH_PASSWORD_MIN_LENGTH. */
export function mailConfig(env: NodeJS.ProcessEnv): MailConfig {
  const smtpUrl = env['CXAUTH_SMTP_URL'] || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/.test(smtpUrl)) {
    throw new ConfigError('CXAUTH_SMTP_URL must start with smtp:// or smtps://.');
  }
  const minLength = seconds(env, 'CXAUTH_PASSWORD_MIN_LENGTH', MAIL_DEFAULTS.passwordMinLength, 8);
  if (minLength > 128) throw new ConfigError('CXAUTH_PASSWORD_MIN_LENGTH must be at most 128.');
  return Object.freeze({
    ...MAIL_DEFAULTS,
    smtpUrl,
    from: env['CXAUTH_SMTP_FROM'] || MAIL_DEFAULTS.from,
    resetLinkTtl: seconds(env, 'CXAUTH_RESET_LINK_TTL', MAIL_DEFAULTS.resetLinkTtl, 60),
    invitationTtl: seconds(env, 'CXAUTH_INVITATION_TTL', MAIL_DEFAULTS.invitationTtl, 60),
    passwordMinLength: minLength,
  });
}
