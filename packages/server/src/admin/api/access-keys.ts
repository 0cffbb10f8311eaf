// /access-keys/{accessKeyId}: read one key, and deactivate (or reactivate) it; its owner may too.
import { requireMatch, tagged } from './etag.js';
import { confine, guardOperator, type Principal } from './principal.js';
import { forbidden, notFound } from './problem.js';
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
    async handler({ request, reply, principal, admin }) {
      const { accessKeyId } = request.params as { accessKeyId: string };
      await showKey(principal, accessKeyId);
      // Through the principal's service: an operator's key is out of an Administrator's reach (403).
      return tagged(reply, keyView(await admin.showAccessKey(accessKeyId)));
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
      const current = await showKey(principal, accessKeyId);
      // An operator's key is the operator's: turned back on by an Administrator it would sign in as them.
      guardOperator(principal, await admin.showUser(current.userId));
      requireMatch(request, current);
      const { active } = request.body as { active: boolean };
      // A user may switch off their own key, not back on: an Administrator's deactivation holds.
      if (active && principal.level === 'self') {
        throw forbidden('only an Administrator or operator may reactivate an access key');
      }
      // Who switched it off is kept: a key its owner did not switch off stays off for them.
      const by = current.userId === principal.user.id ? 'owner' : 'administrator';
      const key = keyView(await admin.setAccessKeyStatus(accessKeyId, active ? 'active' : 'inactive', by));
      return tagged(reply, key);
    },
  });
}
