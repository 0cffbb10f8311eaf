// /tenants/{id}/invitations: a tenant's invitations (docs/people.md), for operators and the tenant's
// Administrators; another tenant is a 404. Creating one mails its single-use link through the outbox;
// the link's token is never in an answer.
import type { Static } from '@sinclair/typebox';
import { ROUTE } from '../../http/routes.js';
import { invitationMail } from '../../mail/templates.js';
import { Problem } from '../../protocol/errors.js';
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
    summary: "List a tenant's invitations, newest first",
    tag: 'invitations',
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
    summary: 'Invite an e-mail to a tenant with a role (mails a single-use link)',
    tag: 'invitations',
    params: S.Id('id'),
    body: S.CreateInvitation,
    response: { 201: S.Invitation },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      requireAdmin(principal);
      confine(principal, { tenantId: id });
      const mailer = deps.mailer;
      if (!mailer) {
        throw new Problem(503, 'Service Unavailable', 'this service sends no mail (it has no KEK)', {
          headers: { 'Retry-After': '3600' },
        });
      }
      const body = request.body as Static<typeof S.CreateInvitation>;
      const ttl = config.mail.invitationTtl;
      const { token, tenantName, ...view } = await admin.createInvitation({
        tenantId: id,
        email: body.email,
        ...(body.role !== undefined ? { role: body.role } : {}),
        ttlSeconds: ttl,
        createdBy: `user:${principal.user.id}`,
      });
      const link = `${config.issuer}${ROUTE['invitation'].path}?token=${encodeURIComponent(token)}`;
      await mailer.send(
        invitationMail({
          to: view.email,
          link,
          days: Math.max(1, Math.round(ttl / 86400)),
          tenant: tenantName,
        }),
        { template: 'invitation', tenantId: view.tenantId },
      );
      reply.code(201).header('Cache-Control', 'no-store');
      return view;
    },
  });
  router.route({
    method: 'DELETE',
    url: '/tenants/:id/invitations/:invitationId',
    summary: 'Revoke an invitation (its link is refused from now on)',
    tag: 'invitations',
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
