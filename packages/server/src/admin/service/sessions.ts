// Admin of sessions: who is signed in through which application, and ending a session at once.
import type { Static } from '@sinclair/typebox';
import type { Session } from '../../domain/types.js';
import type { SessionFilter } from '../../storage/contract/index.js';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, iso, notFound } from './context.js';

/** A session as the admin API shows it, less the names the route adds where the caller may see them. */
export type SessionView = Omit<Static<typeof Wire.Session>, 'user_email' | 'app_name'>;

export function sessionView(s: Session, now: Date): SessionView {
  return {
    id: s.id,
    userId: s.userId,
    tenantId: s.tenantId,
    client_id: s.clientId,
    accessKeyId: s.accessKeyId,
    scope: s.scope,
    createdAt: iso(s.createdAt),
    expiresAt: iso(s.expiresAt),
    revokedAt: iso(s.revokedAt),
    active: s.revokedAt === null && s.expiresAt > now,
  };
}

export function sessionAdmin(ctx: AdminContext) {
  async function load(id: string): Promise<Session> {
    const session = await ctx.storage.sessions.get(id);
    if (!session) throw notFound('session', id);
    return session;
  }
  return {
    /** Sessions by tenant, user or application; `active` keeps only those still open. */
    async listSessions(filter: Omit<SessionFilter, 'openAt'> & { active?: boolean } = {}) {
      const now = ctx.clock();
      const { active, ...rest } = filter;
      const sessions = await ctx.storage.sessions.list({ ...rest, ...(active ? { openAt: now } : {}) });
      return sessions
        .filter((s) => active !== false || s.revokedAt !== null || s.expiresAt <= now)
        .map((s) => sessionView(s, now));
    },
    async showSession(id: string): Promise<SessionView> {
      return sessionView(await load(id), ctx.clock());
    },
    /** Ends a session and every refresh token of it, on every node at once. */
    async endSession(id: string, reason = 'ended by an administrator'): Promise<SessionView> {
      const now = ctx.clock();
      await load(id);
      await ctx.storage.sessions.revoke(id, reason, now);
      return sessionView(await load(id), now);
    },
  };
}
