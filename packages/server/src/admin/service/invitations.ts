// Invitations (docs/people.md#invitations): an administrator invites an e-mail into a tenant with a
// role. The invitation mail goes through the outbox with a single-use link that expires and is bound
// to the tenant; its token is stored only as a keyed hash. An e-mail with an account in the tenant
// already cannot be invited there (a conflict).
import crypto from 'node:crypto';
import type { Mailer } from '../../mail/outbox.js';
import { duration, tenantMail } from '../../mail/tenant-templates.js';
import { AdminError } from '../../protocol/errors.js';
import { generateToken } from '../../secrets/random-secrets.js';
import type { Invitation } from '../../storage/contract/people.js';
import { type AdminContext, invalid, iso, notFound, text } from './context.js';

/** What invitations need: the outbox, the issuer the link points at, and how long a link works. */
export interface InvitationMail {
  readonly mailer: Mailer;
  readonly issuer: string;
  /** The accept page's path (http/routes.ts ROUTE.invitation). */
  readonly path: string;
  /** Seconds a link works (CXAUTH_INVITATION_TTL). */
  readonly ttl: number;
}

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface InvitationView {
  id: string;
  tenantId: string;
  email: string;
  role: string;
  invitedBy: string;
  state: InvitationState;
  createdAt: string | null;
  expiresAt: string | null;
  acceptedAt: string | null;
  revokedAt: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^[^\s@]+@localhost$/;
const ROLE = /^[A-Za-z][A-Za-z0-9 _-]{0,63}$/;

function stateOf(i: Invitation, now: Date): InvitationState {
  if (i.usedAt) return 'accepted';
  if (i.revokedAt) return 'revoked';
  return i.expiresAt <= now ? 'expired' : 'pending';
}

export function invitationView(i: Invitation, now: Date): InvitationView {
  return {
    id: i.id,
    tenantId: i.tenantId,
    email: i.email,
    role: i.role,
    invitedBy: i.invitedBy,
    state: stateOf(i, now),
    createdAt: iso(i.createdAt),
    expiresAt: iso(i.expiresAt),
    acceptedAt: iso(i.usedAt),
    revokedAt: iso(i.revokedAt),
  };
}

export function invitationAdmin(ctx: AdminContext, mail?: InvitationMail) {
  async function tenantOf(tenantId: unknown) {
    const id = text('tenant', tenantId, 64);
    const tenant = await ctx.storage.tenants.get(id);
    if (!tenant) throw notFound('tenant', id);
    return tenant;
  }
  return {
    /** Invites `email` into a tenant as `role` (default Agent) and mails the link. */
    async inviteUser(input: {
      tenantId: string;
      email: string;
      role?: string;
      invitedBy?: string;
    }): Promise<InvitationView> {
      if (!mail) throw new AdminError('invalid_value', 'invitations need a KEK to seal their mail');
      const tenant = await tenantOf(input.tenantId);
      const email = text('email', input.email, 254).toLowerCase();
      if (!EMAIL.test(email)) throw invalid(`email must look like name@example.com, got "${email}"`, 'email');
      const role = input.role === undefined ? 'Agent' : text('role', input.role, 64);
      if (!ROLE.test(role)) throw invalid(`role must be a name like "Administrator", got "${role}"`, 'role');
      if (tenant.status !== 'active') throw invalid(`tenant ${tenant.id} is not active`, 'tenantId');
      if ((await ctx.storage.signIn.usersByEmail(email, tenant.id)).length > 0) {
        throw new AdminError(
          'conflict',
          `a user with email "${email}" in tenant ${tenant.id} already exists`,
        );
      }
      const now = ctx.clock();
      const token = generateToken();
      const invitation: Invitation = {
        id: crypto.randomUUID(),
        tokenHash: ctx.hasher.hash(token),
        tenantId: tenant.id,
        email,
        role,
        invitedBy: input.invitedBy ?? 'cli',
        createdAt: now,
        expiresAt: new Date(now.getTime() + mail.ttl * 1000),
        usedAt: null,
        revokedAt: null,
      };
      await ctx.storage.people.createInvitation(invitation);
      const link = `${mail.issuer}${mail.path}?token=${encodeURIComponent(token)}`;
      const values = {
        link,
        email,
        tenant: tenant.name,
        expires: duration(Math.max(1, Math.round(mail.ttl / 86400)), 'day'),
      };
      await mail.mailer.send(
        await tenantMail(ctx.storage, { tenantId: tenant.id, name: 'invitation', to: email, values }),
        { template: 'invitation', tenantId: tenant.id },
      );
      return invitationView(invitation, now);
    },
    async listInvitations(tenantId: string): Promise<InvitationView[]> {
      const tenant = await tenantOf(tenantId);
      const now = ctx.clock();
      return (await ctx.storage.people.listInvitations(tenant.id)).map((i) => invitationView(i, now));
    },
    /** Revokes an invitation: its link is refused from now on. A used one stays accepted. */
    async revokeInvitation(tenantId: string, id: string): Promise<InvitationView> {
      const tenant = await tenantOf(tenantId);
      const found = await ctx.storage.people.getInvitation(text('invitation', id, 64));
      if (!found || found.tenantId !== tenant.id) throw notFound('invitation', id);
      const now = ctx.clock();
      if (found.usedAt) throw new AdminError('conflict', `invitation ${found.id} was accepted already`);
      await ctx.storage.people.revokeInvitation(found.id, now);
      const after = (await ctx.storage.people.getInvitation(found.id)) ?? found;
      return invitationView(after, now);
    },
  };
}
