// Checking what a person types into the sign-in form: the password of the user with that e-mail, then
// the TOTP code of users who have one. Unknown users cost the same as wrong passwords.
import type { AuthMethod } from '../domain/sign-in.js';
import type { Tenant, User } from '../domain/types.js';
import { decrypt } from '../keys/kek.js';
import { hashPassword, verifyPassword } from '../secrets/passwords.js';
import { matchTotp } from '../secrets/totp.js';
import type { Storage } from '../storage/contract/index.js';

/** The additional authenticated data that binds a sealed TOTP secret to its user. */
export const totpAad = (userId: string): string => `totp:${userId}`;

export interface PasswordOutcome {
  readonly user: User;
  readonly tenant: Tenant;
  /** The user has TOTP enrolled: the second form follows. */
  readonly needsOtp: boolean;
}

/** The one user `username` names may not use a password: they sign in through their IdP (docs/sso.md). */
export const SSO_ONLY = { ssoRequired: true } as const;

/**
 * The active user of an active tenant that `username` and `password` name, or undefined. Restricted to
 * `tenantId` when given (a tenant hint, or an app bound to one tenant). A hash made with older
 * parameters is replaced by one with the current parameters. The password of a user `ssoOnly` names
 * is never checked: when no other user with a password is named, the answer is {@link SSO_ONLY},
 * after the same work as for an unknown user, whatever the password.
 */
export async function checkPassword(
  storage: Storage,
  input: {
    username: string;
    password: string;
    tenantId?: string | undefined;
    now: Date;
    ssoOnly?: ((user: User) => Promise<boolean>) | undefined;
  },
): Promise<PasswordOutcome | typeof SSO_ONLY | undefined> {
  const named = (await storage.signIn.usersByEmail(input.username, input.tenantId)).filter(
    (u) => u.status === 'active' && (input.tenantId === undefined || u.tenantId === input.tenantId),
  );
  const candidates: User[] = [];
  let sso = false;
  for (const user of named) {
    if (input.ssoOnly && (await input.ssoOnly(user))) sso = true;
    else candidates.push(user);
  }
  let checked = false;
  for (const user of candidates) {
    const credentials = await storage.signIn.credentials(user.id);
    if (!credentials?.passwordHash) continue;
    checked = true;
    const { ok, rehash } = await verifyPassword(input.password, credentials.passwordHash);
    if (!ok) continue;
    const tenant = await storage.tenants.get(user.tenantId);
    if (tenant?.status !== 'active') continue;
    if (rehash) await storage.signIn.setPassword(user.id, await hashPassword(input.password), input.now);
    return { user, tenant, needsOtp: credentials.totpSecretEncrypted !== null };
  }
  // No one with a password: spend the same time, so the answer does not tell whether the user exists
  // (nor, for a user who must use their IdP, anything of the password).
  if (!checked) await verifyPassword(input.password, undefined);
  return sso && !checked ? SSO_ONLY : undefined;
}

/**
 * Checks a TOTP code of `userId` and spends its time step, so the same code never works twice.
 * @see RFC 6238 §5.2
 */
export async function checkOtp(
  storage: Storage,
  kek: Buffer | undefined,
  input: { userId: string; otp: string; now: Date },
): Promise<boolean> {
  const credentials = await storage.signIn.credentials(input.userId);
  if (!credentials?.totpSecretEncrypted || !kek) return false;
  const secret = decrypt(kek, credentials.totpSecretEncrypted, totpAad(input.userId));
  const step = matchTotp(secret, input.otp, input.now, credentials.totpLastStep);
  if (step === undefined) return false;
  return storage.signIn.useTotpStep(input.userId, step);
}

/** The `amr` of a sign-in: `pwd`, plus `otp` and `mfa` after a TOTP code (RFC 8176 §2). */
export function amrOf(otp: boolean): AuthMethod[] {
  return otp ? ['pwd', 'otp', 'mfa'] : ['pwd'];
}
