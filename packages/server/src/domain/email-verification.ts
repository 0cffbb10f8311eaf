// Whether a person must verify their e-mail before they get a code or a token: their tenant asks for it
// (`email_verification_required`) and their address is not verified yet (docs/people.md).
import type { Tenant, User } from './types.js';

/**
 * A platform operator is never held back: the switch is a tenant's, its Administrators may set it, and
 * they do not decide whether the platform's operators can sign in (without SMTP, or with a wrong
 * address, it would lock them out of every tenant's administration).
 */
export const mustVerifyEmail = (
  user: Pick<User, 'emailVerified' | 'operator'>,
  tenant: Pick<Tenant, 'emailVerificationRequired'>,
): boolean =>
  tenant.emailVerificationRequired === true && user.emailVerified !== true && user.operator !== true;

/** The token endpoint's `error_description` for such a person (RFC 6749 §5.2 `invalid_grant`). */
export const UNVERIFIED_EMAIL = 'the e-mail address of the user is not verified';
