// /tenants and /tenants/{id}/users: operators see and change every tenant; an Administrator sees its
// own tenant and manages its users (and imports them in bulk); another tenant is a 404.
import type { Static } from '@sinclair/typebox';
import type { Status } from '../../domain/types.js';
import { requireMatch, tagged } from './etag.js';
import { page } from './paging.js';
import { confine, type Principal } from './principal.js';
import { forbidden } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';

/** Only operators and Administrators manage tenants' records at all. */
export function requireAdmin(p: Principal): void {
  if (p.level === 'self') throw forbidden('this needs the admin scope and an Administrator or operator');
}
export function requireOperator(p: Principal): void {
  if (p.level !== 'operator') throw forbidden('only platform operators may do this');
}

const byCreation = (v: { createdAt: string | null; id?: string }, id: string) => `${v.createdAt ?? ''}|${id}`;

export function tenantRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { admin, config } = deps;
  const showTenant = async (p: Principal, id: string) => {
    requireAdmin(p);
    confine(p, { tenantId: id });
    return admin.showTenant(id);
  };

  router.route({
    method: 'GET',
    url: '/tenants',
    summary: 'List tenants (an Administrator sees its own)',
    tag: 'tenants',
    querystring: S.Page,
    response: { 200: S.List(S.Tenant) },
    async handler({ request, reply, principal, admin }) {
      requireAdmin(principal);
      const all =
        principal.level === 'operator'
          ? await admin.listTenants()
          : [await admin.showTenant(principal.tenantId)];
      return page(request, reply, config.issuer, all, (t) => byCreation(t, t.id));
    },
  });
  router.route({
    method: 'POST',
    url: '/tenants',
    summary: 'Create a tenant (operators)',
    tag: 'tenants',
    body: S.CreateTenant,
    response: { 201: S.Tenant },
    async handler({ request, reply, principal, admin }) {
      requireOperator(principal);
      const body = request.body as Static<typeof S.CreateTenant>;
      const tenant = await admin.createTenant({
        name: body.name,
        area: body.area,
        ...(body.cluster === undefined ? {} : { cluster: body.cluster }),
        ...(body.icBUId === undefined ? {} : { businessUnitId: body.icBUId }),
        ...(body.icClusterId === undefined ? {} : { clusterId: body.icClusterId }),
        ...(body.private === undefined ? {} : { private: body.private }),
        ...(body.password_min_length === undefined ? {} : { passwordMinLength: body.password_min_length }),
        ...(body.email_verification_required === undefined
          ? {}
          : { emailVerificationRequired: body.email_verification_required }),
      });
      reply.code(201).header('Location', `${config.issuer}/admin/v1/tenants/${tenant.id}`);
      return tagged(reply, tenant);
    },
  });
  router.route({
    method: 'GET',
    url: '/tenants/:id',
    summary: 'Show a tenant',
    tag: 'tenants',
    params: S.Id('id'),
    response: { 200: S.Tenant },
    async handler({ request, reply, principal }) {
      return tagged(reply, await showTenant(principal, (request.params as { id: string }).id));
    },
  });
  router.route({
    method: 'PATCH',
    url: '/tenants/:id',
    summary:
      "Activate or deactivate a tenant (operators); turn its users' access-key self-service, SSO or e-mail verification requirement on or off; set its password policy",
    tag: 'tenants',
    params: S.Id('id'),
    body: S.PatchTenant,
    response: { 200: S.Tenant },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      const current = await showTenant(principal, id);
      const body = request.body as {
        status?: Status;
        access_key_self_service?: boolean;
        sso_required?: boolean;
        password_min_length?: number | null;
        email_verification_required?: boolean;
      };
      // An Administrator may switch its own tenant's self-service (showTenant confined it), nothing else.
      if (body.status !== undefined) requireOperator(principal);
      requireMatch(request, current);
      // Every field of one PATCH, and their events, in one unit of work: a fault midway leaves the
      // tenant as it was (and its ETag), not half changed.
      const tenant = await deps.storage.atomically(async () => {
        let changed = current;
        if (body.access_key_self_service !== undefined) {
          changed = await admin.setAccessKeySelfService(id, body.access_key_self_service);
        }
        if (body.sso_required !== undefined) changed = await admin.setSsoRequired(id, body.sso_required);
        if (body.password_min_length !== undefined) {
          changed = await admin.setPasswordMinLength(id, body.password_min_length);
        }
        if (body.email_verification_required !== undefined) {
          changed = await admin.setEmailVerificationRequired(id, body.email_verification_required);
        }
        if (body.status !== undefined) changed = await admin.setTenantStatus(id, body.status);
        return changed;
      });
      return tagged(reply, tenant);
    },
  });
  router.route({
    method: 'GET',
    url: '/tenants/:id/users',
    summary: "List a tenant's users",
    tag: 'users',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(S.User) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      await showTenant(principal, id);
      const users = await admin.listUsers({ tenantId: id });
      return page(request, reply, config.issuer, users, (u) => byCreation(u, u.id));
    },
  });
  router.route({
    method: 'POST',
    url: '/tenants/:id/users',
    summary: 'Create a user in a tenant',
    tag: 'users',
    params: S.Id('id'),
    body: S.CreateUser,
    response: { 201: S.User },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      await showTenant(principal, id);
      const body = request.body as Static<typeof S.CreateUser>;
      if (body.operator !== undefined) requireOperator(principal);
      const user = await admin.createUser({
        tenantId: id,
        email: body.email,
        ...(body.given_name === undefined ? {} : { givenName: body.given_name }),
        ...(body.family_name === undefined ? {} : { familyName: body.family_name }),
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.operator === undefined ? {} : { operator: body.operator }),
      });
      reply.code(201).header('Location', `${config.issuer}/admin/v1/users/${user.id}`);
      return tagged(reply, user);
    },
  });
  router.route({
    method: 'POST',
    // `::` is Fastify's literal colon: the path is `/tenants/{id}/users:import`.
    url: '/tenants/:id/users::import',
    summary:
      'Import users from another system, with their password hashes (idempotent by e-mail; a report per row)',
    tag: 'users',
    params: S.Id('id'),
    body: S.ImportUsers,
    bodyLimit: S.IMPORT_BODY_LIMIT,
    response: { 200: S.ImportReport },
    async handler({ request, principal, admin }) {
      const { id } = request.params as { id: string };
      await showTenant(principal, id);
      const body = request.body as Static<typeof S.ImportUsers>;
      return admin.importUsers(id, body.users, { dryRun: body.dry_run === true });
    },
  });
}

export { byCreation };
