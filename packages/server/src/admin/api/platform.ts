// /areas, /signing-keys, /sessions and /audit-events: the platform's areas (operators create them),
// its signing keys (operators), sessions (by tenant for Administrators, one's own for everyone) and
// the audit log.
import type { Static } from '@sinclair/typebox';
import { page } from './paging.js';
import { confine } from './principal.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin, requireOperator } from './tenants.js';

/** How many of the newest audit events one listing reads (narrow with `since` and `type`). */
const AUDIT_WINDOW = 1000;

/** A key that sorts newest first for ids that grow with time (observability/audit.ts). */
const newestFirst = (id: string) =>
  [...id].map((c) => String.fromCharCode(0xffff - c.charCodeAt(0))).join('');

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
      return page(request, reply, config.issuer, sessions, (s) => byCreation(s, s.id));
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
      // The newest events first (the storage's order); an Administrator sees its tenant's only.
      const events = await admin.listAuditEvents({
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.type === undefined ? {} : { type: q.type }),
        limit: AUDIT_WINDOW,
      });
      const seen = events.filter(
        (e) => principal.level === 'operator' || e['tenantId'] === principal.tenantId,
      );
      // Keys descend with time: the newest sorts first, and a cursor continues with older ones.
      return page(request, reply, config.issuer, seen, (e) => newestFirst(String(e['id'])));
    },
  });
}
