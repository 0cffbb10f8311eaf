// /areas, /signing-keys, /sessions and /audit-events: the platform's areas (operators create them),
// its signing keys (operators), sessions (by tenant for Administrators, one's own for everyone) and
// the audit log.
import type { Static } from '@sinclair/typebox';
import { namesFor } from './names.js';
import { cursorKey, DEFAULT_LIMIT, linkNext, page } from './paging.js';
import { confine, type Principal, seesTenant } from './principal.js';
import { badRequest } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin, requireOperator } from './tenants.js';

/** An audit page's cursor key: the time (epoch ms) and id of the last event it listed. */
const auditKey = (e: Record<string, unknown>) => `${Date.parse(String(e['at']))}.${String(e['id'])}`;

function afterKey(key: string | undefined): { at: Date; id: string } | undefined {
  if (key === undefined) return undefined;
  const match = /^(\d{1,15})\.(.+)$/.exec(key);
  if (!match) throw badRequest('cursor is not one this API handed out');
  return { at: new Date(Number(match[1])), id: match[2] as string };
}

/**
 * The actors an `actor` filter names: itself, or for an e-mail the users with it whom the principal
 * may see (none: an empty list, which matches nothing).
 */
async function actorsOf(deps: AdminApiDeps, p: Principal, actor: string): Promise<string[]> {
  if (actor.includes(':') || !actor.includes('@')) return [actor];
  const users = await deps.storage.signIn.usersByEmail(actor);
  return users.filter((u) => seesTenant(p, u.tenantId)).map((u) => `user:${u.id}`);
}

export function platformRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { config } = deps;
  router.route({
    method: 'GET',
    url: '/areas',
    summary: 'List areas',
    tag: 'areas',
    querystring: S.Page,
    response: { 200: S.List(S.Area) },
    async handler({ request, reply, principal, admin }) {
      requireAdmin(principal);
      return page(request, reply, config.issuer, await admin.listAreas(), (a) => a.name);
    },
  });
  router.route({
    method: 'POST',
    url: '/areas',
    summary: 'Create an area (operators); 409 when it exists (PATCH it instead)',
    tag: 'areas',
    body: S.CreateArea,
    response: { 201: S.Area },
    async handler({ request, reply, principal, admin }) {
      requireOperator(principal);
      const b = request.body as Static<typeof S.CreateArea>;
      const area = await admin.createArea({
        name: b.name,
        apiEndpoint: b.api_endpoint,
        ...(b.ui_endpoint ? { uiEndpoint: b.ui_endpoint } : {}),
        ...(b.auth_endpoint ? { authEndpoint: b.auth_endpoint } : {}),
        ...(b.domain ? { domain: b.domain } : {}),
        ...(b.acdDomain ? { acdDomain: b.acdDomain } : {}),
        ...(b.uhDomain ? { uhDomain: b.uhDomain } : {}),
      });
      reply.code(201);
      return area;
    },
  });
  router.route({
    method: 'PATCH',
    url: '/areas/:name',
    summary: "Change an area's endpoints or domains (operators); absent fields stay",
    tag: 'areas',
    params: S.Id('name'),
    body: S.PatchArea,
    response: { 200: S.Area },
    async handler({ request, principal, admin }) {
      requireOperator(principal);
      const { name } = request.params as { name: string };
      const b = request.body as Static<typeof S.PatchArea>;
      return admin.updateArea(name, {
        ...(b.api_endpoint ? { apiEndpoint: b.api_endpoint } : {}),
        ...(b.ui_endpoint ? { uiEndpoint: b.ui_endpoint } : {}),
        ...(b.auth_endpoint ? { authEndpoint: b.auth_endpoint } : {}),
        ...(b.domain ? { domain: b.domain } : {}),
        ...(b.acdDomain ? { acdDomain: b.acdDomain } : {}),
        ...(b.uhDomain ? { uhDomain: b.uhDomain } : {}),
      });
    },
  });
  router.route({
    method: 'GET',
    url: '/signing-keys',
    summary: 'List signing keys (operators; public parts only)',
    tag: 'signing-keys',
    querystring: S.Page,
    response: { 200: S.List(S.SigningKey) },
    async handler({ request, reply, principal, admin }) {
      requireOperator(principal);
      const { items } = await admin.listSigningKeys();
      return page(request, reply, config.issuer, items, (k) => byCreation(k, k.kid));
    },
  });
  router.route({
    method: 'POST',
    url: '/signing-keys/rotate',
    summary: 'Rotate the signing key (operators)',
    tag: 'signing-keys',
    response: { 202: S.SigningKey },
    async handler({ reply, principal, admin }) {
      requireOperator(principal);
      // Published now; it signs from `signFrom`, once every verifier can have fetched it (202).
      const key = await admin.rotateSigningKey();
      reply.code(202);
      return key;
    },
  });
  router.route({
    method: 'GET',
    url: '/sessions',
    summary: 'List sessions (everyone their own; Administrators their tenant’s)',
    tag: 'sessions',
    querystring: S.SessionQuery,
    response: { 200: S.List(S.Session) },
    async handler({ request, reply, principal, admin }) {
      const q = request.query as Static<typeof S.SessionQuery>;
      // The tenant (and for `self` the user) comes from the token; a filter can only narrow it.
      if (q.tenantId !== undefined) confine(principal, { tenantId: q.tenantId });
      const tenantId = principal.level === 'operator' ? q.tenantId : principal.tenantId;
      const userId = principal.level === 'self' ? principal.user.id : q.userId;
      if (principal.level === 'self' && q.userId !== undefined && q.userId !== principal.user.id) {
        return { items: [] };
      }
      // Another tenant's user has no sessions here (as before), whoever it is: nothing is learnt of it.
      if (principal.level === 'administrator' && q.userId !== undefined) {
        const user = await deps.admin.showUser(q.userId).catch(() => undefined);
        if (user?.tenantId !== principal.tenantId) return { items: [] };
      }
      const sessions = await admin.listSessions({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(userId === undefined ? {} : { userId }),
        ...(q.client_id === undefined ? {} : { clientId: q.client_id }),
        ...(q.active === undefined ? {} : { active: q.active }),
      });
      const chosen = page(request, reply, config.issuer, sessions, (s) => byCreation(s, s.id));
      const names = namesFor(deps.storage, principal);
      return {
        items: await Promise.all(
          chosen.items.map(async (s) => ({
            ...s,
            user_email: await names.user(s.userId),
            app_name: await names.app(s.client_id),
          })),
        ),
      };
    },
  });
  router.route({
    method: 'DELETE',
    url: '/sessions/:id',
    summary: 'End a session (its tokens are refused at once on every node)',
    tag: 'sessions',
    params: S.Id('id'),
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      // Confined first (another tenant's session is a 404), then the principal's service refuses an
      // operator's session to an Administrator (403).
      const session = await deps.admin.showSession(id).catch(() => undefined);
      confine(principal, { tenantId: session?.tenantId ?? null, userId: session?.userId ?? '' });
      await admin.endSession(id);
      reply.code(204);
      return reply.send();
    },
  });
  router.route({
    method: 'GET',
    url: '/audit-events',
    summary: 'The audit log (newest first)',
    tag: 'audit-events',
    querystring: S.AuditQuery,
    response: { 200: S.List(S.AuditEvent) },
    async handler({ request, reply, principal, admin }) {
      requireAdmin(principal);
      const q = request.query as Static<typeof S.AuditQuery>;
      // The tenant comes from the token for an Administrator; a filter can only narrow it.
      if (q.tenantId !== undefined) confine(principal, { tenantId: q.tenantId });
      const tenantId = principal.level === 'operator' ? q.tenantId : principal.tenantId;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const before = afterKey(cursorKey(request));
      // Newest first, filtered and paged in the database; one more than a page says whether more remain.
      const events = await admin.listAuditEvents({
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.type === undefined ? {} : { type: q.type }),
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(q.actor === undefined ? {} : { actors: await actorsOf(deps, principal, q.actor) }),
        ...(before ? { before } : {}),
        limit: limit + 1,
      });
      const items = events.slice(0, limit);
      const last = items.at(-1);
      if (events.length > limit && last) linkNext(request, reply, config.issuer, auditKey(last));
      const names = namesFor(deps.storage, principal);
      return {
        items: await Promise.all(
          items.map(async (e) => ({
            ...e,
            actor_name: await names.of(e['actor'] as string | null),
            subject_name: await names.of(e['subject'] as string | null),
          })),
        ),
      };
    },
  });
}
