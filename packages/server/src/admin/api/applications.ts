// /applications: registration (the secret shown once), changes of origins, redirect URIs and grants
// (holding on every node at once), deletion, and secret rotation with an overlap. An Administrator
// manages its own tenant's single-tenant applications; applications for all tenants are operators'.
import type { Static } from '@sinclair/typebox';
import { ADMIN_SCOPE } from '../../protocol/scope.js';
import type { ApplicationView } from '../service/admin.js';
import { CONSOLE_CLIENT_ID } from '../service/console-app.js';
import { requireMatch, tagged } from './etag.js';
import { page } from './paging.js';
import { confine, type Principal } from './principal.js';
import { badRequest, forbidden, notFound, Problem } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin } from './tenants.js';

/** The API's view: `active` beside the stored fields. */
const appView = <T extends ApplicationView>(a: T) => ({ ...a, active: a.status === 'active' });

/** The lists of a body, named as the admin service names them (checked by application-rules.ts). */
const listsOf = (b: Partial<Static<typeof S.CreateApplication>>) => ({
  ...(b.origins ? { origins: b.origins } : {}),
  ...(b.redirect_uris ? { redirectUris: b.redirect_uris } : {}),
  ...(b.post_logout_redirect_uris ? { postLogoutRedirectUris: b.post_logout_redirect_uris } : {}),
  ...(b.grant_types ? { grantTypes: b.grant_types } : {}),
  ...(b.scopes ? { scopes: b.scopes } : {}),
  ...(b.first_party === undefined ? {} : { firstParty: b.first_party }),
  ...(b.dpop_bound_access_tokens === undefined ? {} : { dpopBoundAccessTokens: b.dpop_bound_access_tokens }),
});

/**
 * First-party applications, and the admin scope, are operators' alone: an Administrator who could put
 * `admin` on an app, or edit an app the platform trusts (its redirect URIs, its secret), could have an
 * operator's browser sign in to it without a consent page and hold the operator's admin token.
 */
function guardTrust(
  p: Principal,
  body: { first_party?: boolean | undefined; scopes?: string[] | undefined },
  current?: ApplicationView,
): void {
  if (p.level === 'operator') return;
  if (body.first_party !== undefined) throw forbidden('only platform operators set first_party');
  if (body.scopes?.includes(ADMIN_SCOPE)) {
    throw forbidden('only platform operators may give an application the admin scope');
  }
  if (current?.first_party) throw forbidden('only platform operators change a first-party application');
}

/**
 * The console signs everyone in through its own application: switched off or deleted from the
 * console, nobody could sign in to the console again to undo it. The CLI on the server still can
 * (`cxauth admin app deactivate cxauth-console`), where undoing it needs no console.
 */
function keepConsole(clientId: string, what: 'deactivate' | 'delete'): void {
  if (clientId !== CONSOLE_CLIENT_ID) return;
  const doing = what === 'delete' ? 'deleting' : 'deactivating';
  throw new Problem(
    409,
    'Conflict',
    `${CONSOLE_CLIENT_ID} is the console's own application: ${doing} it would end every console session, and nobody could sign in to the console again to undo it. Run \`cxauth admin app deactivate ${CONSOLE_CLIENT_ID}\` on the server (against its database) if you mean to switch the console off`,
  );
}

export function applicationRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { admin, config } = deps;
  const showApp = async (p: Principal, clientId: string) => {
    requireAdmin(p);
    const app = await admin.showApplication(clientId).catch(() => undefined);
    // An application for all tenants belongs to no tenant: only operators see it.
    confine(p, { tenantId: app ? app.tenantId : '' });
    // Missing is answered as another tenant's is, so an operator's 404 says no more than theirs.
    if (!app) throw notFound();
    return appView(app);
  };
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
    async handler({ request, reply, principal, admin }) {
      requireAdmin(principal);
      const body = request.body as Static<typeof S.CreateApplication>;
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
      guardTrust(principal, body);
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
          type: body.type,
          ...(tenantId === undefined ? {} : { tenantId }),
          ...listsOf(body),
        }),
      );
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
      const { request, reply, principal, admin } = ctx;
      const clientId = clientIdOf(ctx);
      const current = await showApp(principal, clientId);
      requireMatch(request, current);
      const body = request.body as Static<typeof S.PatchApplication>;
      guardTrust(principal, body, current);
      const { active, ...changes } = body;
      if (active === false) keepConsole(clientId, 'deactivate');
      if (Object.keys(changes).length > 0) {
        await admin.updateApplication(clientId, {
          ...(changes.name === undefined ? {} : { name: changes.name }),
          ...listsOf(changes),
        });
      }
      if (active !== undefined) await admin.setApplicationStatus(clientId, active ? 'active' : 'inactive');
      return tagged(reply, appView(await admin.showApplication(clientId)));
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
      const { request, reply, principal, admin } = ctx;
      const app = await showApp(principal, clientIdOf(ctx));
      requireMatch(request, app);
      guardTrust(principal, {}, app);
      keepConsole(app.client_id, 'delete');
      await admin.deleteApplication(app.client_id);
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
      const { request, principal, admin } = ctx;
      const current = await showApp(principal, clientIdOf(ctx));
      requireMatch(request, current);
      guardTrust(principal, {}, current);
      return appView(await admin.rotateClientSecret(clientIdOf(ctx), config.admin.secretRotationOverlap));
    },
  });
}
