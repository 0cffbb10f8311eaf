// Admin of a tenant's SCIM tokens (docs/scim.md): made with a name and shown once, listed without their
// secret, revoked at once.
import { newScimToken } from '../../scim/tokens.js';
import type { ScimToken } from '../../storage/contract/scim.js';
import { type AdminContext, iso, notFound, text } from './context.js';

export interface ScimTokenView {
  id: string;
  tenantId: string;
  name: string;
  createdAt: string | null;
  revokedAt: string | null;
}

function scimTokenView(t: ScimToken): ScimTokenView {
  return {
    id: t.id,
    tenantId: t.tenantId,
    name: t.name,
    createdAt: iso(t.createdAt),
    revokedAt: iso(t.revokedAt),
  };
}

export function scimTokenAdmin(ctx: AdminContext) {
  async function tenantOf(tenantId: unknown): Promise<string> {
    const id = text('tenant', tenantId, 64);
    if (!(await ctx.storage.tenants.get(id))) throw notFound('tenant', id);
    return id;
  }
  return {
    /** A new token: `token` is the bearer value, shown this once and stored only as its hash. */
    async createScimToken(input: {
      tenantId: string;
      name: string;
    }): Promise<ScimTokenView & { token: string }> {
      const tenantId = await tenantOf(input.tenantId);
      const { record, bearer } = newScimToken(
        ctx.hasher,
        tenantId,
        text('name', input.name, 100),
        ctx.clock(),
      );
      await ctx.storage.scim.createToken(record);
      return { ...scimTokenView(record), token: bearer };
    },
    async listScimTokens(tenantId: string): Promise<ScimTokenView[]> {
      return (await ctx.storage.scim.listTokens(await tenantOf(tenantId))).map(scimTokenView);
    },
    /** Revokes a token: the next request with it is refused. */
    async revokeScimToken(tenantId: string, id: string): Promise<ScimTokenView> {
      const tenant = await tenantOf(tenantId);
      const token = await ctx.storage.scim.getToken(text('token', id, 64));
      if (!token || token.tenantId !== tenant) throw notFound('SCIM token', id);
      if (token.revokedAt === null) await ctx.storage.scim.revokeToken(tenant, token.id, ctx.clock());
      return scimTokenView((await ctx.storage.scim.getToken(token.id)) ?? token);
    },
  };
}
