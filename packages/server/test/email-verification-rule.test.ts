// Who must verify their e-mail before a sign-in gets a code (docs/people.md, "E-mail verification at
// sign-in"): a person of a tenant that asks for it, until verified; never a platform operator, whom a
// tenant's Administrator could otherwise lock out of the platform with the tenant's switch.
import { describe, expect, it } from 'vitest';
import { mustVerifyEmail } from '../src/domain/email-verification.js';

describe('mustVerifyEmail', () => {
  const strict = { emailVerificationRequired: true };
  it('holds back an unverified person of a tenant that asks for it, and no one else', () => {
    expect(mustVerifyEmail({ emailVerified: false }, strict)).toBe(true);
    expect(mustVerifyEmail({}, strict)).toBe(true);
    expect(mustVerifyEmail({ emailVerified: true }, strict)).toBe(false);
    expect(mustVerifyEmail({ emailVerified: false }, {})).toBe(false);
  });

  it('never holds back a platform operator', () => {
    expect(mustVerifyEmail({ emailVerified: false, operator: true }, strict)).toBe(false);
  });
});
