// /tenants/{id}/scim-tokens: a tenant's SCIM provisioning tokens (docs/scim.md), for operators and the
// tenant's Administrators; another tenant is a 404. The bearer token is in the creation answer only.
import type { Static } from '@sinclair/typebox';
import { page } from './paging.js';
import { confine } from './principal.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin } from './tenants.js';

export function scimTokenRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { config } = deps;
  router.route({
    method: 'GET',
    url: '/tenants/:id/scim-tokens',
    summary: "List a tenant's SCIM tokens (never their secret)",
    tag: 'scim',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(S.ScimToken) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      return page(request, reply, config.issuer, await admin.listScimTokens(id), (t) => byCreation(t, t.id));
    },
  });
  router.route({
    method: 'POST',
    url: '/tenants/:id/scim-tokens',
    summary: 'Create a SCIM token for a tenant (the token is shown this once)',
    tag: 'scim',
    params: S.Id('id'),
    body: S.CreateScimToken,
    response: { 201: S.NewScimToken },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      const body = request.body as Static<typeof S.CreateScimToken>;
      const token = await admin.createScimToken({ tenantId: id, name: body.name });
      reply.code(201).header('Cache-Control', 'no-store');
      return token;
    },
  });
  router.route({
    method: 'DELETE',
    url: '/tenants/:id/scim-tokens/:tokenId',
    summary: 'Revoke a SCIM token (refused at once)',
    tag: 'scim',
    params: S.TenantScimTokenId,
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id, tokenId } = request.params as { id: string; tokenId: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      await admin.revokeScimToken(id, tokenId);
      reply.code(204);
      return reply.send();
    },
  });
}
