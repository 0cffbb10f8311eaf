// Admin of users: creation with a role (legacy name → generated role id), listing, (de)activation.
import crypto from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { DEFAULT_ROLE } from '../../domain/roles.js';
import type { Status, User } from '../../domain/types.js';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, creating, invalid, iso, notFound, optionalText, text } from './context.js';

/** The admin API's wire shape (admin/api/schemas.ts). */
export type UserView = Static<typeof Wire.User>;

export interface CreateUserInput {
  tenantId: string;
  email: string;
  givenName?: string;
  familyName?: string;
  /** Legacy role name, e.g. `Administrator` (the `role.legacyId` claim); default `Agent`. */
  role?: string;
  /** Makes the user a platform operator. */
  operator?: boolean;
}

export function userView(u: User): UserView {
  return {
    id: u.id,
    tenantId: u.tenantId,
    email: u.email,
    email_verified: u.emailVerified === true,
    given_name: u.givenName,
    family_name: u.familyName,
    role: u.role,
    operator: u.operator === true,
    status: u.status,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  };
}

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^[^\s@]+@localhost$/;
const ROLE = /^[A-Za-z][A-Za-z0-9 _-]{0,63}$/;

/**
 * A legacy role name (`role.legacyId`); `Agent` when absent: least privilege, so a user made without a
 * role (a script, a typo) is never an Administrator of its tenant by accident.
 */
export function roleNameOf(value: unknown): string {
  const roleName = value === undefined ? DEFAULT_ROLE : text('role', value, 64);
  if (!ROLE.test(roleName))
    throw invalid(`role must be a name like "Administrator", got "${roleName}"`, 'role');
  return roleName;
}

export function userAdmin(ctx: AdminContext) {
  async function load(id: string): Promise<User> {
    const user = await ctx.storage.users.get(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  return {
    async createUser(input: CreateUserInput): Promise<UserView> {
      const tenantId = text('tenant', input.tenantId, 64);
      const email = text('email', input.email, 254).toLowerCase();
      if (!EMAIL.test(email)) throw invalid(`email must look like name@example.com, got "${email}"`, 'email');
      const roleName = roleNameOf(input.role);
      if (!(await ctx.storage.tenants.get(tenantId))) throw notFound('tenant', tenantId);
      const now = ctx.clock();
      const user: User = {
        id: crypto.randomUUID(),
        tenantId,
        email,
        givenName: optionalText('given name', input.givenName, 100),
        familyName: optionalText('family name', input.familyName, 100),
        role: {
          id: crypto.randomUUID(),
          legacyId: roleName,
          lastUpdateTime: now.getTime(),
          secondaryRoles: [],
        },
        operator: input.operator === true,
        status: 'active',
        createdAt: now,
        updatedAt: now,
      };
      await creating(`a user with email "${email}" in tenant ${tenantId}`, () =>
        ctx.storage.users.create(user),
      );
      return userView(user);
    },
    async listUsers(filter: { tenantId?: string } = {}): Promise<UserView[]> {
      return (await ctx.storage.users.list(filter)).map(userView);
    },
    async showUser(id: string): Promise<UserView> {
      return userView(await load(id));
    },
    /** Deactivating a user ends every session they hold. */
    async setUserStatus(id: string, status: Status): Promise<UserView> {
      const at = ctx.clock();
      if (!(await ctx.storage.users.setStatus(id, status, at))) throw notFound('user', id);
      if (status === 'inactive') await ctx.storage.sessions.revokeByUser(id, 'user deactivated', at);
      return userView(await load(id));
    },
    /** Gives a user another role (a new role id, as a role change in the reference tokens) or flag. */
    async updateUser(id: string, changes: { role?: string; operator?: boolean }): Promise<UserView> {
      const user = await load(id);
      const now = ctx.clock();
      const role =
        changes.role === undefined || roleNameOf(changes.role) === user.role.legacyId
          ? undefined
          : {
              id: crypto.randomUUID(),
              legacyId: roleNameOf(changes.role),
              lastUpdateTime: now.getTime(),
              secondaryRoles: [],
            };
      const update = {
        ...(role ? { role } : {}),
        ...(changes.operator === undefined ? {} : { operator: changes.operator }),
      };
      if (Object.keys(update).length > 0 && !(await ctx.storage.users.update(id, update, now))) {
        throw notFound('user', id);
      }
      return userView(await load(id));
    },
  };
}
