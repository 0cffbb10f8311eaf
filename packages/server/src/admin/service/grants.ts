// Admin of grants: what a user allowed third-party applications on the consent page, and withdrawing
// it, which ends that application's sessions of that user at once (through the revocation feed).
import type { Static } from '@sinclair/typebox';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, iso, notFound } from './context.js';

/** The admin API's wire shape (admin/api/schemas.ts). */
export type GrantView = Static<typeof Wire.Grant>;

export function grantAdmin(ctx: AdminContext) {
  return {
    /** A user's grants to applications that still exist, oldest first. */
    async listGrants(userId: string): Promise<GrantView[]> {
      const views: GrantView[] = [];
      for (const c of await ctx.storage.consents.listByUser(userId)) {
        const app = await ctx.storage.applications.get(c.clientId);
        if (!app) continue;
        views.push({
          client_id: c.clientId,
          application: app.name,
          tenantId: app.tenantId,
          scopes: c.scopes,
          createdAt: iso(c.createdAt),
          updatedAt: iso(c.updatedAt),
        });
      }
      return views;
    },
    /**
     * Withdraws a user's grant to an application: the next request of the app asks for consent
     * again, and every open session of the app for this user ends now. Returns how many ended.
     */
    async withdrawGrant(userId: string, clientId: string): Promise<{ sessionsEnded: number }> {
      const now = ctx.clock();
      if (!(await ctx.storage.consents.delete(userId, clientId))) throw notFound('grant', clientId);
      const open = await ctx.storage.sessions.list({ userId, clientId, openAt: now });
      for (const s of open) await ctx.storage.sessions.revoke(s.id, 'grant withdrawn', now);
      return { sessionsEnded: open.length };
    },
  };
}
