// /tenants/{id}/invitations: a tenant's invitations (docs/people.md#invitations), for operators and the
// tenant's Administrators; another tenant is a 404. The link's token is in the mail only, never here.
import type { Static } from '@sinclair/typebox';
import { page } from './paging.js';
import { confine } from './principal.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin } from './tenants.js';

export function invitationRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { config } = deps;
  router.route({
    method: 'GET',
    url: '/tenants/:id/invitations',
    summary: "List a tenant's invitations (never their link)",
    tag: 'users',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(S.Invitation) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      return page(request, reply, config.issuer, await admin.listInvitations(id), (i) => byCreation(i, i.id));
    },
  });
  router.route({
    method: 'POST',
    url: '/tenants/:id/invitations',
    summary: 'Invite an e-mail into a tenant with a role (mails a single-use link)',
    tag: 'users',
    params: S.Id('id'),
    body: S.CreateInvitation,
    response: { 201: S.Invitation },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      const body = request.body as Static<typeof S.CreateInvitation>;
      const invitation = await admin.inviteUser({
        tenantId: id,
        email: body.email,
        ...(body.role === undefined ? {} : { role: body.role }),
        invitedBy: `user:${principal.user.id}`,
      });
      reply.code(201);
      return invitation;
    },
  });
  router.route({
    method: 'DELETE',
    url: '/tenants/:id/invitations/:invitationId',
    summary: 'Revoke an invitation (its link is refused from now on)',
    tag: 'users',
    params: S.TenantInvitationId,
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id, invitationId } = request.params as { id: string; invitationId: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      await admin.revokeInvitation(id, invitationId);
      reply.code(204);
      return reply.send();
    },
  });
}
