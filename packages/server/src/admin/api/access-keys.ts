// /access-keys/{accessKeyId}: read one key, and deactivate (or reactivate) it; its owner may too.
import { requireMatch, tagged } from './etag.js';
import { confine, type Principal } from './principal.js';
import { notFound } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { keyView } from './users.js';

export function accessKeyRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { admin } = deps;
  const showKey = async (p: Principal, id: string) => {
    const key = await admin.showAccessKey(id).catch(() => undefined);
    confine(p, { tenantId: key?.tenantId ?? null, userId: key?.userId ?? '' });
    // Missing is answered as another tenant's is, so an operator's 404 says no more than theirs.
    if (!key) throw notFound();
    return keyView(key);
  };
  router.route({
    method: 'GET',
    url: '/access-keys/:accessKeyId',
    summary: 'Show an access key (never its secret)',
    tag: 'access-keys',
    params: S.Id('accessKeyId'),
    response: { 200: S.AccessKey },
    async handler({ request, reply, principal }) {
      return tagged(reply, await showKey(principal, (request.params as { accessKeyId: string }).accessKeyId));
    },
  });
  router.route({
    method: 'PATCH',
    url: '/access-keys/:accessKeyId',
    summary: 'Deactivate or activate an access key (refused at once on every node)',
    tag: 'access-keys',
    params: S.Id('accessKeyId'),
    body: S.PatchAccessKey,
    response: { 200: S.AccessKey },
    async handler({ request, reply, principal, admin }) {
      const { accessKeyId } = request.params as { accessKeyId: string };
      requireMatch(request, await showKey(principal, accessKeyId));
      const { active } = request.body as { active: boolean };
      const key = keyView(await admin.setAccessKeyStatus(accessKeyId, active ? 'active' : 'inactive'));
      return tagged(reply, key);
    },
  });
}
