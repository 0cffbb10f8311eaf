// Sign-in sessions: the browser's single sign-on. The cookie holds a random token; storage holds only
// its keyed hash, so a copy of the database opens no browser's session.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthMethod, SignInSession } from '../domain/sign-in.js';
import type { Tenant, User } from '../domain/types.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { CookieJar } from './cookies.js';

/** A live sign-in with its user and tenant, both active. */
export interface CurrentSignIn {
  readonly signIn: SignInSession;
  readonly user: User;
  readonly tenant: Tenant;
}

export interface SignInSessions {
  /** The browser's live sign-in, if any (ended, expired, or with an inactive user or tenant: none). */
  current(request: FastifyRequest, now: Date): Promise<CurrentSignIn | undefined>;
  /**
   * Records an authentication: within the browser's sign-in of the same user when there is one
   * (its grant sessions go on), otherwise a new sign-in whose cookie is set on `reply`.
   */
  authenticated(
    request: FastifyRequest,
    reply: FastifyReply,
    who: { user: User; tenant: Tenant; amr: AuthMethod[]; now: Date; idp?: string },
  ): Promise<SignInSession>;
  /** Ends the browser's sign-in and every grant session it opened; clears the cookie. */
  end(
    request: FastifyRequest,
    reply: FastifyReply,
    now: Date,
    reason: string,
  ): Promise<SignInSession | undefined>;
}

export function signInSessions(deps: {
  storage: Storage;
  hasher: Hasher;
  cookies: CookieJar;
  ttl: number;
}): SignInSessions {
  const { storage, hasher, cookies, ttl } = deps;
  const find = async (request: FastifyRequest) => {
    const token = cookies.read(request, 'session');
    return token === undefined ? undefined : storage.signIn.signInByToken(hasher.hash(token));
  };
  const endOne = async (signIn: SignInSession, now: Date, reason: string) => {
    for (const sessionId of await storage.signIn.endSignIn(signIn.id, now)) {
      await storage.sessions.revoke(sessionId, reason, now);
    }
  };
  return {
    async current(request, now) {
      const signIn = await find(request);
      if (!signIn || signIn.endedAt !== null || signIn.expiresAt <= now) return undefined;
      const [user, tenant] = await Promise.all([
        storage.users.get(signIn.userId),
        storage.tenants.get(signIn.tenantId),
      ]);
      if (user?.status !== 'active' || tenant?.status !== 'active') return undefined;
      return { signIn, user, tenant };
    },
    async authenticated(request, reply, { user, tenant, amr, now, idp }) {
      const existing = await find(request);
      if (existing && existing.endedAt === null && existing.expiresAt > now && existing.userId === user.id) {
        await storage.signIn.reauthenticate(existing.id, now, amr, idp ?? null);
        return { ...existing, authTime: now, amr, idp: idp ?? null };
      }
      // Another user signs in in this browser: the previous user's sign-in ends with its sessions.
      if (existing && existing.endedAt === null) await endOne(existing, now, 'another user signed in');
      const token = generateToken();
      const signIn: SignInSession = {
        id: crypto.randomUUID(),
        tokenHash: hasher.hash(token),
        userId: user.id,
        tenantId: tenant.id,
        authTime: now,
        amr,
        idp: idp ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttl * 1000),
        endedAt: null,
      };
      await storage.signIn.openSignIn(signIn);
      cookies.set(reply, 'session', token, ttl);
      return signIn;
    },
    async end(request, reply, now, reason) {
      const signIn = await find(request);
      cookies.clear(reply, 'session');
      if (!signIn) return undefined;
      await endOne(signIn, now, reason);
      return signIn;
    },
  };
}
