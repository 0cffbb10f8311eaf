// Who a federated sign-in signs in: the user linked to (IdP, subject); else an existing user of the
// IdP's tenant with the same e-mail, only when the IdP marks that address verified and it lies in a
// domain the IdP claims; else a new user (just in time) with the IdP's default role. Never a user of
// another tenant than the IdP's.
import crypto from 'node:crypto';
import { emailDomain, type IdentityProvider } from '../domain/identity-providers.js';
import type { Tenant, User } from '../domain/types.js';
import type { Storage } from '../storage/contract/index.js';
import { StorageConstraintError } from '../storage/errors.js';
import type { UpstreamIdentity } from './oidc.js';

export type AccountOutcome =
  | { readonly user: User; readonly tenant: Tenant; readonly how: 'linked' | 'matched' | 'created' }
  | { readonly refused: string; readonly reason: string };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null;

/** The user fields the IdP's attribute mapping gives. */
export function mappedProfile(idp: IdentityProvider, identity: UpstreamIdentity) {
  const { claims } = identity;
  // A SAML NameID in the emailAddress format is the address when no attribute carries it.
  const email =
    (
      text(claims[idp.attributes.email], 254) ?? (idp.kind === 'saml' ? text(identity.subject, 254) : null)
    )?.toLowerCase() ?? null;
  return {
    email: email !== null && EMAIL.test(email) ? email : null,
    // OIDC Core §5.1 `email_verified`; a SAML IdP vouches for what it asserts (docs/sso.md).
    emailVerified: idp.kind === 'saml' || claims['email_verified'] === true,
    givenName: text(claims[idp.attributes.givenName], 100),
    familyName: text(claims[idp.attributes.familyName], 100),
  };
}

const NOT_HERE = 'Your account cannot sign in here. Ask your administrator.';

export async function federatedAccount(
  storage: Storage,
  idp: IdentityProvider,
  identity: UpstreamIdentity,
  now: Date,
): Promise<AccountOutcome> {
  const tenant = await storage.tenants.get(idp.tenantId);
  if (tenant?.status !== 'active') return { refused: NOT_HERE, reason: 'tenant inactive' };
  const ready = (user: User | undefined, how: 'linked' | 'matched' | 'created'): AccountOutcome =>
    user?.status === 'active' && user.tenantId === idp.tenantId
      ? { user, tenant, how }
      : { refused: NOT_HERE, reason: 'user inactive' };

  const linked = await storage.identityProviders.linkedUser(idp.id, identity.subject);
  if (linked !== undefined) return ready(await storage.users.get(linked), 'linked');

  const profile = mappedProfile(idp, identity);
  if (profile.email === null) {
    return {
      refused: 'Your identity provider did not give an e-mail address.',
      reason: 'no e-mail',
    };
  }
  const domain = emailDomain(profile.email);
  const claimed = domain !== undefined && (idp.domains.length === 0 || idp.domains.includes(domain));
  const existing = (await storage.signIn.usersByEmail(profile.email, idp.tenantId)).find(
    (u) => u.tenantId === idp.tenantId,
  );
  if (existing) {
    if (!profile.emailVerified || !claimed) {
      return {
        refused:
          'An account with this e-mail address exists, but your identity provider did not confirm the address.',
        reason: profile.emailVerified ? 'e-mail outside the claimed domains' : 'e-mail not verified',
      };
    }
    if (existing.status !== 'active') return ready(existing, 'matched');
    // The IdP vouched for the address (OIDC Core §5.1 `email_verified`): the account's is verified.
    if (!existing.emailVerified) await storage.people.markEmailVerified(existing.id);
    await storage.identityProviders.link({
      idpId: idp.id,
      subject: identity.subject,
      userId: existing.id,
      tenantId: idp.tenantId,
      createdAt: now,
    });
    // Of two racing first sign-ins, the link that won names the user.
    const winner = await storage.identityProviders.linkedUser(idp.id, identity.subject);
    return ready(winner === existing.id ? existing : await storage.users.get(winner ?? ''), 'matched');
  }
  if (!claimed) {
    return {
      refused: 'Your e-mail address is not one this organization signs in.',
      reason: 'domain not claimed',
    };
  }
  const user: User = {
    id: crypto.randomUUID(),
    tenantId: idp.tenantId,
    email: profile.email,
    givenName: profile.givenName,
    familyName: profile.familyName,
    role: {
      id: crypto.randomUUID(),
      legacyId: idp.defaultRole,
      lastUpdateTime: now.getTime(),
      secondaryRoles: [],
    },
    operator: false,
    status: 'active',
    ...(profile.emailVerified ? { emailVerified: true } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await storage.identityProviders.createLinkedUser(user, {
      idpId: idp.id,
      subject: identity.subject,
      userId: user.id,
      tenantId: idp.tenantId,
      createdAt: now,
    });
  } catch (err) {
    if (!(err instanceof StorageConstraintError)) throw err;
    // A racing first sign-in of the same subject created it: sign in the one that won.
    const winner = await storage.identityProviders.linkedUser(idp.id, identity.subject);
    if (winner === undefined) return { refused: NOT_HERE, reason: 'user could not be created' };
    return ready(await storage.users.get(winner), 'linked');
  }
  return { user, tenant, how: 'created' };
}
