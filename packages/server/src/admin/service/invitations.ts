// Admin of a tenant's invitations (docs/people.md): an invitation names an e-mail and the role the
// invited person gets; its link's token is returned once (to be mailed) and stored only as a keyed
// hash. An e-mail that already has an account in the tenant is not invited again.
import crypto from 'node:crypto';
import { AdminError } from '../../protocol/errors.js';
import { generateToken } from '../../secrets/random-secrets.js';
import type { Invitation } from '../../storage/contract/people.js';
import { type AdminContext, invalid, iso, notFound, text } from './context.js';
import { EMAIL, roleNameOf } from './users.js';

export interface InvitationView {
  id: string;
  tenantId: string;
  email: string;
  role: string;
  createdBy: string | null;
  createdAt: string | null;
  expiresAt: string | null;
  usedAt: string | null;
  revokedAt: string | null;
  /** `pending` until used, revoked or expired. */
  state: 'pending' | 'accepted' | 'revoked' | 'expired';
}

export function invitationView(i: Invitation, now: Date): InvitationView {
  const state =
    i.usedAt !== null
      ? 'accepted'
      : i.revokedAt !== null
        ? 'revoked'
        : i.expiresAt <= now
          ? 'expired'
          : 'pending';
  return {
    id: i.id,
    tenantId: i.tenantId,
    email: i.email,
    role: i.role,
    createdBy: i.createdBy,
    createdAt: iso(i.createdAt),
    expiresAt: iso(i.expiresAt),
    usedAt: iso(i.usedAt),
    revokedAt: iso(i.revokedAt),
    state,
  };
}

export function invitationAdmin(ctx: AdminContext) {
  async function tenantOf(tenantId: unknown): Promise<{ id: string; name: string }> {
    const id = text('tenant', tenantId, 64);
    const tenant = await ctx.storage.tenants.get(id);
    if (!tenant) throw notFound('tenant', id);
    return { id, name: tenant.name };
  }
  return {
    /**
     * A new invitation lasting `ttlSeconds`: `token` is the secret of its link, returned this once
     * (for the mail) and stored only as its keyed hash.
     */
    async createInvitation(input: {
      tenantId: string;
      email: string;
      role?: string;
      ttlSeconds: number;
      createdBy?: string;
    }): Promise<InvitationView & { token: string; tenantName: string }> {
      const tenant = await tenantOf(input.tenantId);
      const email = text('email', input.email, 254).toLowerCase();
      if (!EMAIL.test(email)) throw invalid(`email must look like name@example.com, got "${email}"`, 'email');
      const role = roleNameOf(input.role);
      if ((await ctx.storage.signIn.usersByEmail(email, tenant.id)).length > 0) {
        throw new AdminError('conflict', `a user with email "${email}" is already in tenant ${tenant.id}`);
      }
      const now = ctx.clock();
      const token = generateToken();
      const invitation: Invitation = {
        id: crypto.randomUUID(),
        tokenHash: ctx.hasher.hash(token),
        tenantId: tenant.id,
        email,
        role,
        createdBy: input.createdBy ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000),
        usedAt: null,
        revokedAt: null,
      };
      await ctx.storage.people.createInvitation(invitation);
      return { ...invitationView(invitation, now), token, tenantName: tenant.name };
    },
    async listInvitations(tenantId: string): Promise<InvitationView[]> {
      const now = ctx.clock();
      const tenant = await tenantOf(tenantId);
      return (await ctx.storage.people.listInvitations(tenant.id)).map((i) => invitationView(i, now));
    },
    /** Revokes an invitation: its link is refused from now on. Revoking a used one is a conflict. */
    async revokeInvitation(tenantId: string, id: string): Promise<InvitationView> {
      const tenant = await tenantOf(tenantId);
      const found = await ctx.storage.people.getInvitation(text('invitation', id, 64));
      if (!found || found.tenantId !== tenant.id) throw notFound('invitation', id);
      const now = ctx.clock();
      if (found.usedAt !== null) throw new AdminError('conflict', `invitation ${id} was accepted already`);
      if (found.revokedAt === null) await ctx.storage.people.revokeInvitation(tenant.id, found.id, now);
      return invitationView((await ctx.storage.people.getInvitation(found.id)) ?? found, now);
    },
  };
}
