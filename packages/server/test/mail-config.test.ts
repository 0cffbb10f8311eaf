// The mail settings read from the environment: defaults, and each refusal naming its variable.
import { describe, expect, it } from 'vitest';
import { mailConfig } from '../src/config/mail.js';

describe('mail configuration', () => {
  it('defaults to no SMTP, a one-hour reset link and 8 characters', () => {
    const c = mailConfig({});
    expect(c.smtpUrl).toBeUndefined();
    expect(c.resetLinkTtl).toBe(3600);
    expect(c.invitationTtl).toBe(604_800);
    expect(c.passwordMinLength).toBe(8);
  });

  it('reads every variable', () => {
    const c = mailConfig({
      CXAUTH_SMTP_URL: 'smtps://u:p@mail.example.com:465',
      CXAUTH_SMTP_FROM: 'Auth <auth@example.com>',
      CXAUTH_RESET_LINK_TTL: '900',
      CXAUTH_INVITATION_TTL: '86400',
      CXAUTH_PASSWORD_MIN_LENGTH: '12',
    });
    expect(c).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      from: 'Auth <auth@example.com>',
      resetLinkTtl: 900,
      invitationTtl: 86_400,
      passwordMinLength: 12,
    });
  });

  it.each([
    [{ CXAUTH_SMTP_URL: 'http://mail.example.com' }, /CXAUTH_SMTP_URL/],
    [{ CXAUTH_RESET_LINK_TTL: '10' }, /CXAUTH_RESET_LINK_TTL/],
    [{ CXAUTH_INVITATION_TTL: 'soon' }, /CXAUTH_INVITATION_TTL/],
    [{ CXAUTH_PASSWORD_MIN_LENGTH: '6' }, /CXAUTH_PASSWORD_MIN_LENGTH/],
    [{ CXAUTH_PASSWORD_MIN_LENGTH: '500' }, /CXAUTH_PASSWORD_MIN_LENGTH/],
  ])('refuses %o', (env, message) => {
    expect(() => mailConfig(env)).toThrow(message);
  });
});
