// Accepting an invitation (docs/people.md#invitations): the mailed link opens a password form (CSRF
// protected, no JavaScript needed, no Referer sent on); setting a password under the policy spends the
// invitation atomically, creates the user in the invitation's tenant with its role and the e-mail
// verified, and signs the browser in. A link used, expired, revoked or unknown gets a 400 page.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/config.js';
import type { User } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
import type { Hasher } from '../secrets/hasher.js';
import { hashPassword } from '../secrets/passwords.js';
import type { Storage } from '../storage/contract/index.js';
import { StorageConstraintError } from '../storage/errors.js';
import type { CookieJar } from './cookies.js';
import { sendPage } from './html.js';
import {
  type MailedLink,
  noReferrer,
  pageContext,
  postedLinkPassword,
  showLink,
  tokenShaped,
  withPolicy,
} from './mailed-link.js';
import { refusePage } from './outcome.js';
import { invitationPage, signedInPage } from './reset-views.js';
import type { Sealer } from './seal.js';
import type { SignInSessions } from './session.js';

export interface InvitationDeps {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
  readonly sessions: SignInSessions;
  readonly audit: Audit;
  readonly clock: () => Date;
  /** The accept page's path (the link's target) and the console's. */
  readonly path: string;
  readonly consolePath: string;
}

/** The invitation of a presented token while it can be accepted, with its active tenant. */
async function usableInvitation(deps: InvitationDeps, token: string, now: Date) {
  if (!tokenShaped(token)) return undefined;
  const invitation = await deps.storage.people.invitationByToken(deps.hasher.hash(token));
  if (!invitation || invitation.usedAt || invitation.revokedAt || invitation.expiresAt <= now)
    return undefined;
  const tenant = await deps.storage.tenants.get(invitation.tenantId);
  if (tenant?.status !== 'active') return undefined;
  return { invitation, tenant };
}

const linkRefused = (reply: FastifyReply) =>
  refusePage(
    noReferrer(reply),
    400,
    'This invitation does not work',
    'The link was used already, has expired, was withdrawn, or is not one of ours. Ask whoever invited you for a new one.',
  );

type Found = NonNullable<Awaited<ReturnType<typeof usableInvitation>>>;

const invitationLink = (deps: InvitationDeps): MailedLink<Found> => ({
  purpose: 'invitation',
  action: deps.path,
  usable: (token, now) => usableInvitation(deps, token, now),
  shown: ({ invitation, tenant }) => ({
    email: invitation.email,
    tenantName: tenant.name,
    passwordMinLength: tenant.passwordMinLength,
  }),
  render: withPolicy(deps, invitationPage),
  refused: linkRefused,
});

export const showInvitation = (deps: InvitationDeps, request: FastifyRequest, reply: FastifyReply) =>
  showLink(deps, invitationLink(deps), request, reply);

export async function acceptInvitation(
  deps: InvitationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const now = deps.clock();
  const posted = await postedLinkPassword(deps, invitationLink(deps), request, reply, now);
  if (!('found' in posted)) return posted;
  const { invitation, tenant } = posted.found;
  const { password } = posted;
  const hash = await hashPassword(password);
  const user: User = {
    id: crypto.randomUUID(),
    tenantId: tenant.id,
    email: invitation.email,
    givenName: null,
    familyName: null,
    role: {
      id: crypto.randomUUID(),
      legacyId: invitation.role,
      lastUpdateTime: now.getTime(),
      secondaryRoles: [],
    },
    operator: false,
    emailVerified: true,
    status: 'active',
    createdAt: now,
    updatedAt: now,
  };
  // The spent invitation, the account, its password and their events commit together
  // (docs/webhooks.md): a fault in any rolls all back, and the link stays usable.
  const actor = `user:${user.id}` as const;
  let accepted: boolean;
  try {
    accepted = await deps.audit.within(
      async () => {
        // Spent first: of two posts of one link, one creates the account.
        if (!(await deps.storage.people.useInvitation(invitation.tokenHash, now))) return false;
        await deps.storage.users.create(user);
        await deps.storage.signIn.setPassword(user.id, hash, now);
        return true;
      },
      (done) =>
        done
          ? [
              {
                type: 'invitation.accepted',
                actor,
                subject: `invitation:${invitation.id}`,
                tenantId: tenant.id,
                details: { user: user.id, role: invitation.role },
              },
              {
                type: 'user.created',
                actor,
                subject: actor,
                tenantId: tenant.id,
                details: { role: invitation.role, via: 'invitation' },
              },
            ]
          : undefined,
    );
  } catch (err) {
    // The e-mail got an account in the tenant since the invitation was made (all rolled back).
    if (err instanceof StorageConstraintError) return linkRefused(reply);
    throw err;
  }
  if (!accepted) return linkRefused(reply);
  await deps.sessions.authenticated(request, reply, { user, tenant, amr: ['pwd'], now });
  const ctx = pageContext(tenant.name);
  return sendPage(
    noReferrer(reply),
    200,
    signedInPage(ctx, { email: user.email, console: deps.consolePath }),
    ctx.nonce,
  );
}
