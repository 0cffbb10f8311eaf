// Users' sign-in credentials: a password (memory-hard hash only) and TOTP enrolment, whose secret is
// shown once as an otpauth:// URI and stored sealed with the KEK.
import { type Passkey, passkeyName } from '../../domain/passkey.js';
import { totpAad } from '../../interaction/credentials.js';
import { encrypt } from '../../keys/kek.js';
import { hashPassword, MIN_PASSWORD_LENGTH, minLengthFor, passwordProblem } from '../../secrets/passwords.js';
import { generateTotpSecret, otpauthUri } from '../../secrets/totp.js';
import { type AdminContext, invalid, notFound } from './context.js';

/** What TOTP enrolment needs beyond storage: the KEK that seals the secret, the issuer it names. */
export interface CredentialKeys {
  readonly kek: Buffer;
  readonly issuer: string;
}

/**
 * A password checked against its user's tenant policy and hashed, before the unit of work that stores
 * it: the memory-hard hash takes tens of milliseconds, and inside the unit it would hold SQLite's write
 * lock (every other write on the node) as long. Only `preparePassword` makes one, so a request body,
 * which is never an instance of this class, cannot pass a hash of its own.
 */
export class PreparedPassword {
  /** @internal */
  constructor(
    readonly userId: string,
    readonly password: string,
    readonly hash: string,
  ) {}
}

/**
 * `defaultMinLength`: the shortest password where the user's tenant sets none (CXAUTH_PASSWORD_MIN_LENGTH).
 */
export function credentialAdmin(
  ctx: AdminContext,
  keys?: CredentialKeys,
  defaultMinLength: number = MIN_PASSWORD_LENGTH,
) {
  const load = async (userId: string) => {
    const user = await ctx.storage.users.get(userId);
    if (!user) throw notFound('user', userId);
    return user;
  };
  const policy = (password: string, tenant: Parameters<typeof minLengthFor>[0]) => {
    const problem = passwordProblem(password, minLengthFor(tenant, defaultMinLength));
    if (problem) throw invalid(problem, 'password');
  };
  /** Checks `password` against the policy of the user's tenant and hashes it (outside any unit). */
  const preparePassword = async (userId: string, password: string): Promise<PreparedPassword> => {
    const user = await load(userId);
    policy(password, await ctx.storage.tenants.get(user.tenantId));
    return new PreparedPassword(user.id, password, await hashPassword(password));
  };
  const passkeyView = (p: Passkey) => ({
    id: p.id,
    name: p.name,
    transports: [...p.transports],
    multiDevice: p.backupEligible,
    backedUp: p.backedUp,
    createdAt: p.createdAt.toISOString(),
    lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  });
  return {
    preparePassword,
    /**
     * Sets a user's password (stored only as its scrypt hash), under the policy of its tenant. Given a
     * {@link PreparedPassword}, the policy is checked again as it is now and its hash stored.
     */
    async setPassword(
      userId: string,
      password: string | PreparedPassword,
    ): Promise<{ id: string; password: 'set' }> {
      const prepared =
        password instanceof PreparedPassword ? password : await preparePassword(userId, password);
      if (prepared.userId !== userId) throw invalid('the password was prepared for another user', 'password');
      const user = await load(userId);
      policy(prepared.password, await ctx.storage.tenants.get(user.tenantId));
      await ctx.storage.signIn.setPassword(user.id, prepared.hash, ctx.clock());
      return { id: user.id, password: 'set' };
    },
    /**
     * Enrols (or re-enrols) a user in TOTP; the returned URI holds the secret and is not shown again.
     * @see RFC 6238, RFC 4226 §4 (160-bit secret)
     */
    async enrollTotp(userId: string): Promise<{ id: string; otpauth_uri: string }> {
      if (!keys) throw invalid('TOTP enrolment needs the key-encryption key');
      const user = await load(userId);
      const secret = generateTotpSecret();
      await ctx.storage.signIn.setTotp(user.id, encrypt(keys.kek, secret, totpAad(user.id)), ctx.clock());
      return {
        id: user.id,
        otpauth_uri: otpauthUri(secret, `cxauth ${new URL(keys.issuer).host}`, user.email),
      };
    },
    /** A user's passkeys, oldest first: names, transports, backup state, times; never key material. */
    async listPasskeys(userId: string) {
      const user = await load(userId);
      return (await ctx.storage.passkeys.listForUser(user.id)).map(passkeyView);
    },
    /** Renames one of a user's passkeys (trimmed; at most 64 characters, no control characters). */
    async renamePasskey(userId: string, passkeyId: string, raw: string) {
      const user = await load(userId);
      const checked = passkeyName(raw);
      if ('problem' in checked) throw invalid(checked.problem, 'name');
      if (!(await ctx.storage.passkeys.rename(user.id, passkeyId, checked.name))) {
        throw notFound('passkey', passkeyId);
      }
      const passkey = (await ctx.storage.passkeys.listForUser(user.id)).find((p) => p.id === passkeyId);
      if (!passkey) throw notFound('passkey', passkeyId);
      return { ...passkeyView(passkey), userId: user.id, tenantId: user.tenantId };
    },
    /** Removes one of a user's passkeys: it no longer signs anyone in. */
    async removePasskey(
      userId: string,
      passkeyId: string,
    ): Promise<{ id: string; tenantId: string; passkey: string }> {
      const user = await load(userId);
      if (!(await ctx.storage.passkeys.remove(user.id, passkeyId))) throw notFound('passkey', passkeyId);
      return { id: user.id, tenantId: user.tenantId, passkey: passkeyId };
    },
    /**
     * Resets a user's second factors (a lost phone or key): the TOTP secret and every passkey are
     * removed; the password stays, so the user signs in with it and enrols again.
     */
    async resetSecondFactors(userId: string): Promise<{ id: string; tenantId: string; passkeys: number }> {
      const user = await load(userId);
      await ctx.storage.signIn.setTotp(user.id, null, ctx.clock());
      const passkeys = await ctx.storage.passkeys.removeAll(user.id);
      return { id: user.id, tenantId: user.tenantId, passkeys };
    },
  };
}
