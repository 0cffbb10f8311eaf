// Admin of access keys: a user's key id and secret (secret shown once), listing, (de)activation.
import type { Static } from '@sinclair/typebox';
import type { AccessKey, Status } from '../../domain/types.js';
import { AdminError } from '../../protocol/errors.js';
import { generateAccessKeyPart } from '../../secrets/random-secrets.js';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, creating, iso, notFound, text } from './context.js';

/** An access key as the admin API shows it, less `active` (the route's reading of `status`). */
export type AccessKeyView = Omit<Static<typeof Wire.AccessKey>, 'active'>;

export function accessKeyView(k: AccessKey): AccessKeyView {
  return {
    accessKeyId: k.id,
    userId: k.userId,
    tenantId: k.tenantId,
    status: k.status,
    createdAt: iso(k.createdAt),
    lastUsedAt: iso(k.lastUsedAt),
    deactivatedBy: k.status === 'inactive' ? (k.deactivatedBy ?? 'administrator') : null,
  };
}

/** Who may not create a key for themselves, and why (docs/admin-api.md, "Access keys"). */
export const SELF_SERVICE_OFF = "this tenant's Administrators have turned access-key self-service off";
export const KEY_HELD_OFF =
  'an administrator switched off one of your access keys: ask an Administrator for a new one';

export function accessKeyAdmin(ctx: AdminContext) {
  async function load(id: string): Promise<AccessKey> {
    const key = await ctx.storage.accessKeys.get(id);
    if (!key) throw notFound('access key', id);
    return key;
  }

  return {
    /**
     * Creates an access key for a user; the returned `accessKeySecret` is never shown again.
     * `selfService` (a user creating a key for themselves, neither Administrator nor operator) is
     * refused while the tenant has self-service off, or while an administrator holds one of the
     * user's keys switched off: a new key would undo that decision.
     */
    async createAccessKey(input: {
      userId: string;
      selfService?: boolean;
    }): Promise<AccessKeyView & { accessKeySecret: string }> {
      const userId = text('user', input.userId, 64);
      const user = await ctx.storage.users.get(userId);
      if (!user) throw notFound('user', userId);
      if (input.selfService === true) {
        const tenant = await ctx.storage.tenants.get(user.tenantId);
        if (tenant?.accessKeySelfService === false) throw new AdminError('forbidden', SELF_SERVICE_OFF);
        const keys = await ctx.storage.accessKeys.list({ userId: user.id });
        if (keys.some((k) => k.status === 'inactive' && k.deactivatedBy !== 'owner')) {
          throw new AdminError('forbidden', KEY_HELD_OFF);
        }
      }
      const secret = generateAccessKeyPart();
      const key: AccessKey = {
        id: generateAccessKeyPart(),
        userId: user.id,
        tenantId: user.tenantId,
        secretHash: ctx.hasher.hash(secret),
        status: 'active',
        createdAt: ctx.clock(),
        lastUsedAt: null,
        deactivatedBy: null,
      };
      await creating('the access key', () => ctx.storage.accessKeys.create(key));
      const { accessKeyId, ...rest } = accessKeyView(key);
      return { accessKeyId, accessKeySecret: secret, ...rest };
    },
    async listAccessKeys(filter: { userId?: string } = {}): Promise<AccessKeyView[]> {
      return (await ctx.storage.accessKeys.list(filter)).map(accessKeyView);
    },
    async showAccessKey(id: string): Promise<AccessKeyView> {
      return accessKeyView(await load(id));
    },
    /**
     * Deactivating a key ends every session opened with it. `by` records who switched it off: its
     * `owner`, or an `administrator` (the default: the CLI, an Administrator, an operator).
     */
    async setAccessKeyStatus(
      id: string,
      status: Status,
      by: 'owner' | 'administrator' = 'administrator',
    ): Promise<AccessKeyView> {
      const at = ctx.clock();
      if (!(await ctx.storage.accessKeys.setStatus(id, status, at, by))) throw notFound('access key', id);
      if (status === 'inactive')
        await ctx.storage.sessions.revokeByAccessKey(id, 'access key deactivated', at);
      return accessKeyView(await load(id));
    },
  };
}
