// /applications: registration (the secret shown once), changes of origins, redirect URIs and grants
// (holding on every node at once), deletion, and secret rotation with an overlap. An Administrator
// manages its own tenant's single-tenant applications; applications for all tenants are operators'.
import type { Static } from '@sinclair/typebox';
import { recordAdminChange } from '../audit.js';
import type { ApplicationView } from '../service/admin.js';
import { refuseUnstoredApplicationFields } from './adapters.js';
import { requireMatch, tagged } from './etag.js';
import { page } from './paging.js';
import { confine, type Principal } from './principal.js';
import { badRequest, forbidden } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin } from './tenants.js';

/** The API's view: `tenancy` and `active` beside the stored fields. */
const appView = <T extends ApplicationView>(a: T) => ({
  ...a,
  tenancy: a.tenantId === null ? ('all' as const) : ('single' as const),
  active: a.status === 'active',
});

export function applicationRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { admin, config, clock } = deps;
  const showApp = async (p: Principal, clientId: string) => {
    requireAdmin(p);
    const app = await admin.showApplication(clientId).catch(() => undefined);
    // An application for all tenants belongs to no tenant: only operators see it.
    confine(p, { tenantId: app ? app.tenantId : '' });
    if (!app) throw new Error('unreachable: confine refuses a missing application');
    return appView(app);
  };
  const audit = (
    request: RouteContext['request'],
    p: Principal,
    action: string,
    app: { client_id: string; tenantId: string | null },
    fields?: string[],
  ) =>
    recordAdminChange(
      request.log,
      {
        action,
        actor: p.user.id,
        tenantId: app.tenantId,
        target: { kind: 'application', id: app.client_id },
        ...(fields ? { fields } : {}),
      },
      clock(),
    );
  const clientIdOf = (ctx: RouteContext) => (ctx.request.params as { client_id: string }).client_id;

  router.route({
    method: 'GET',
    url: '/applications',
    summary: 'List applications',
    tag: 'applications',
    querystring: S.Page,
    response: { 200: S.List(S.Application) },
    async handler({ request, reply, principal }) {
      requireAdmin(principal);
      const all = (await admin.listApplications()).filter(
        (a) => principal.level === 'operator' || a.tenantId === principal.tenantId,
      );
      return page(request, reply, config.issuer, all.map(appView), (a) => byCreation(a, a.client_id));
    },
  });
  router.route({
    method: 'POST',
    url: '/applications',
    summary: 'Register an application (its client_secret is shown once)',
    tag: 'applications',
    body: S.CreateApplication,
    response: { 201: S.NewApplication },
    async handler({ request, reply, principal }) {
      requireAdmin(principal);
      const body = request.body as Static<typeof S.CreateApplication>;
      refuseUnstoredApplicationFields(body);
      if (body.tenancy === 'all' && body.tenantId !== undefined) {
        throw badRequest('an application for all tenants has no tenantId');
      }
      if (body.tenancy === 'all' && principal.level !== 'operator') {
        throw forbidden('only platform operators register applications for all tenants');
      }
      // An Administrator's application is its own tenant's, whatever the body says.
      const tenantId =
        body.tenancy === 'all'
          ? undefined
          : principal.level === 'operator'
            ? body.tenantId
            : principal.tenantId;
      if (body.tenancy === 'single' && tenantId === undefined)
        throw badRequest('a single-tenant application needs tenantId');
      if (
        principal.level !== 'operator' &&
        body.tenantId !== undefined &&
        body.tenantId !== principal.tenantId
      ) {
        confine(principal, { tenantId: body.tenantId });
      }
      const app = appView(
        await admin.createApplication({
          name: body.name,
          ...(body.origins ? { origins: body.origins } : {}),
          ...(tenantId === undefined ? {} : { tenantId }),
          ...(body.grant_types ? { grantTypes: body.grant_types } : {}),
          ...(body.redirect_uris ? { redirectUris: body.redirect_uris } : {}),
        }),
      );
      audit(request, principal, 'application.created', app);
      reply.code(201).header('Location', `${config.issuer}/admin/v1/applications/${app.client_id}`);
      return app;
    },
  });
  router.route({
    method: 'GET',
    url: '/applications/:client_id',
    summary: 'Show an application (never its secret)',
    tag: 'applications',
    params: S.Id('client_id'),
    response: { 200: S.Application },
    async handler(ctx) {
      return tagged(ctx.reply, await showApp(ctx.principal, clientIdOf(ctx)));
    },
  });
  router.route({
    method: 'PATCH',
    url: '/applications/:client_id',
    summary: 'Change an application (origins, redirect URIs, grants, name, active)',
    tag: 'applications',
    params: S.Id('client_id'),
    body: S.PatchApplication,
    response: { 200: S.Application },
    async handler(ctx) {
      const { request, reply, principal } = ctx;
      const clientId = clientIdOf(ctx);
      requireMatch(request, await showApp(principal, clientId));
      const body = request.body as Static<typeof S.PatchApplication>;
      refuseUnstoredApplicationFields(body);
      const { active, ...lists } = body;
      if (Object.keys(lists).length > 0) {
        await admin.updateApplication(clientId, {
          ...(lists.name === undefined ? {} : { name: lists.name }),
          ...(lists.origins ? { origins: lists.origins } : {}),
          ...(lists.redirect_uris ? { redirectUris: lists.redirect_uris } : {}),
          ...(lists.grant_types ? { grantTypes: lists.grant_types } : {}),
        });
      }
      if (active !== undefined) await admin.setApplicationStatus(clientId, active ? 'active' : 'inactive');
      const app = appView(await admin.showApplication(clientId));
      audit(request, principal, 'application.updated', app, Object.keys(body));
      return tagged(reply, app);
    },
  });
  router.route({
    method: 'DELETE',
    url: '/applications/:client_id',
    summary: 'Delete an application (its sessions end with it)',
    tag: 'applications',
    params: S.Id('client_id'),
    response: { 204: null },
    async handler(ctx) {
      const { request, reply, principal } = ctx;
      const app = await showApp(principal, clientIdOf(ctx));
      requireMatch(request, app);
      await admin.deleteApplication(app.client_id);
      audit(request, principal, 'application.deleted', app);
      reply.code(204);
      return reply.send();
    },
  });
  router.route({
    method: 'POST',
    url: '/applications/:client_id/secret',
    summary: 'Rotate the client secret (the old one works for the configured overlap)',
    tag: 'applications',
    params: S.Id('client_id'),
    response: { 200: S.RotatedSecret },
    async handler(ctx) {
      const { request, principal } = ctx;
      requireMatch(request, await showApp(principal, clientIdOf(ctx)));
      const rotated = appView(
        await admin.rotateClientSecret(clientIdOf(ctx), config.admin.secretRotationOverlap),
      );
      audit(request, principal, 'application.secret_rotated', rotated);
      return rotated;
    },
  });
}
