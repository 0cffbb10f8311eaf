// /stats: what the service did over time, per bucket (sign-ins, failures, throttling, tokens issued,
// sessions open) for the console's dashboard, counted in SQL. An Administrator sees its own tenant's;
// an operator the whole platform's, or one tenant's with `tenantId`.
import type { Static } from '@sinclair/typebox';
import { confine } from './principal.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { requireAdmin } from './tenants.js';

export function statsRoutes(router: Router<RouteContext>, _deps: AdminApiDeps): void {
  router.route({
    method: 'GET',
    url: '/stats',
    summary: 'Activity per time bucket: sign-ins, failures, throttling, tokens issued, sessions open',
    tag: 'stats',
    querystring: S.StatsQuery,
    response: { 200: S.Stats },
    async handler({ request, principal, admin }) {
      requireAdmin(principal);
      const q = request.query as Static<typeof S.StatsQuery>;
      // The tenant comes from the token for an Administrator; another tenant's is answered 404.
      if (q.tenantId !== undefined) confine(principal, { tenantId: q.tenantId });
      const tenantId = principal.level === 'operator' ? q.tenantId : principal.tenantId;
      return admin.activity({
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.bucket === undefined ? {} : { bucket: q.bucket }),
        ...(tenantId === undefined ? {} : { tenantId }),
      });
    },
  });
}
