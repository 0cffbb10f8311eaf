// Admin of access keys: a user's key id and secret (secret shown once), listing, (de)activation.

import type { AccessKey, Status } from '../../domain/types.js';
import { generateAccessKeyPart } from '../../secrets/random-secrets.js';
import { type AdminContext, creating, iso, notFound, text } from './context.js';

export interface AccessKeyView {
  accessKeyId: string;
  userId: string;
  tenantId: string;
  status: Status;
  createdAt: string | null;
  lastUsedAt: string | null;
}

export function accessKeyView(k: AccessKey): AccessKeyView {
  return {
    accessKeyId: k.id,
    userId: k.userId,
    tenantId: k.tenantId,
    status: k.status,
    createdAt: iso(k.createdAt),
    lastUsedAt: iso(k.lastUsedAt),
  };
}

export function accessKeyAdmin(ctx: AdminContext) {
  async function load(id: string): Promise<AccessKey> {
    const key = await ctx.storage.accessKeys.get(id);
    if (!key) throw notFound('access key', id);
    return key;
  }

  return {
    /** Creates an access key for a user; the returned `accessKeySecret` is never shown again. */
    async createAccessKey(input: { userId: string }): Promise<AccessKeyView & { accessKeySecret: string }> {
      const userId = text('user', input.userId, 64);
      const user = await ctx.storage.users.get(userId);
      if (!user) throw notFound('user', userId);
      const secret = generateAccessKeyPart();
      const key: AccessKey = {
        id: generateAccessKeyPart(),
        userId: user.id,
        tenantId: user.tenantId,
        secretHash: ctx.hasher.hash(secret),
        status: 'active',
        createdAt: ctx.clock(),
        lastUsedAt: null,
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
    /** Deactivating a key ends every session opened with it. */
    async setAccessKeyStatus(id: string, status: Status): Promise<AccessKeyView> {
      const at = ctx.clock();
      if (!(await ctx.storage.accessKeys.setStatus(id, status, at))) throw notFound('access key', id);
      if (status === 'inactive')
        await ctx.storage.sessions.revokeByAccessKey(id, 'access key deactivated', at);
      return accessKeyView(await load(id));
    },
  };
}
