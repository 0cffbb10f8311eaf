// /tenants/{id}/identity-providers: a tenant's identity providers (docs/sso.md), for operators and
// the tenant's Administrators; another tenant's is a 404. The client secret is write-only.
import type { Static } from '@sinclair/typebox';
import * as I from './idp-schemas.js';
import { page } from './paging.js';
import { confine } from './principal.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin } from './tenants.js';

export function identityProviderRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { config } = deps;
  router.route({
    method: 'GET',
    url: '/tenants/:id/identity-providers',
    summary: "List a tenant's identity providers (never their secret)",
    tag: 'sso',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(I.IdentityProvider) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      return page(request, reply, config.issuer, await admin.listIdentityProviders(id), (i) =>
        byCreation(i, i.id),
      );
    },
  });
  router.route({
    method: 'POST',
    url: '/tenants/:id/identity-providers',
    summary: 'Add an identity provider to a tenant (its client secret is sealed and never shown)',
    tag: 'sso',
    params: S.Id('id'),
    body: I.CreateIdentityProvider,
    response: { 201: I.IdentityProvider },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      const idp = await admin.createIdentityProvider(
        id,
        request.body as Static<typeof I.CreateIdentityProvider>,
      );
      reply.code(201).header('Cache-Control', 'no-store');
      return idp;
    },
  });
  router.route({
    method: 'GET',
    url: '/tenants/:id/identity-providers/:idpId',
    summary: 'Show an identity provider (never its secret)',
    tag: 'sso',
    params: I.TenantIdentityProviderId,
    response: { 200: I.IdentityProvider },
    async handler({ request, principal, admin }) {
      const { id, idpId } = request.params as { id: string; idpId: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      return admin.showIdentityProvider(id, idpId);
    },
  });
  router.route({
    method: 'PATCH',
    url: '/tenants/:id/identity-providers/:idpId',
    summary: 'Change an identity provider (name, domains, role, mapping, issuer, client, secret)',
    tag: 'sso',
    params: I.TenantIdentityProviderId,
    body: I.PatchIdentityProvider,
    response: { 200: I.IdentityProvider },
    async handler({ request, principal, admin }) {
      const { id, idpId } = request.params as { id: string; idpId: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      return admin.updateIdentityProvider(id, idpId, request.body as Static<typeof I.PatchIdentityProvider>);
    },
  });
  router.route({
    method: 'DELETE',
    url: '/tenants/:id/identity-providers/:idpId',
    summary: 'Delete an identity provider (its users stay; their links to it go)',
    tag: 'sso',
    params: I.TenantIdentityProviderId,
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id, idpId } = request.params as { id: string; idpId: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      await admin.deleteIdentityProvider(id, idpId);
      reply.code(204);
      return reply.send();
    },
  });
}
