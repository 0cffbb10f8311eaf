// /users/{id}, /users/{id}/access-keys and /users/{id}/grants: a user's record (Administrators of its
// tenant, operators, the user itself to read), its role and status, its access keys and the grants it
// gave third-party applications on the consent page (the user itself too).
import type { Static } from '@sinclair/typebox';
import type { AccessKeyView } from '../service/admin.js';
import { requireMatch, tagged } from './etag.js';
import { page } from './paging.js';
import { confine, guardOperator, type Principal } from './principal.js';
import { forbidden, notFound } from './problem.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import * as S from './schemas.js';
import { byCreation, requireAdmin, requireOperator } from './tenants.js';

/** The API's view of an access key: `active` beside `status`, for `PATCH {"active": false}`. */
export const keyView = <T extends AccessKeyView>(k: T) => ({ ...k, active: k.status === 'active' });

export function userRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  const { admin, config } = deps;
  const showUser = async (p: Principal, id: string) => {
    const user = await admin.showUser(id).catch(() => undefined);
    confine(p, { tenantId: user?.tenantId ?? null, userId: user?.id ?? '' });
    // Missing is answered as another tenant's is, so an operator's 404 says no more than theirs.
    if (!user) throw notFound();
    return user;
  };

  router.route({
    method: 'GET',
    url: '/users/:id',
    summary: 'Show a user',
    tag: 'users',
    params: S.Id('id'),
    response: { 200: S.User },
    async handler({ request, reply, principal }) {
      return tagged(reply, await showUser(principal, (request.params as { id: string }).id));
    },
  });
  router.route({
    method: 'PATCH',
    url: '/users/:id',
    summary: "Change a user's role or status (operators also the operator flag)",
    tag: 'users',
    params: S.Id('id'),
    body: S.PatchUser,
    response: { 200: S.User },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      const current = await showUser(principal, id);
      requireAdmin(principal);
      guardOperator(principal, current);
      const body = request.body as Static<typeof S.PatchUser>;
      if (body.operator !== undefined) requireOperator(principal);
      if (id === principal.user.id && (body.status === 'inactive' || body.role !== undefined)) {
        throw forbidden('you cannot change your own role or deactivate yourself');
      }
      requireMatch(request, current);
      let user = current;
      if (body.role !== undefined || body.operator !== undefined) {
        user = await admin.updateUser(id, {
          ...(body.role === undefined ? {} : { role: body.role }),
          ...(body.operator === undefined ? {} : { operator: body.operator }),
        });
      }
      if (body.status !== undefined) user = await admin.setUserStatus(id, body.status);
      return tagged(reply, user);
    },
  });
  router.route({
    method: 'POST',
    url: '/users/:id/password',
    summary: "Set a user's password",
    tag: 'users',
    params: S.Id('id'),
    body: S.SetPassword,
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      guardOperator(principal, await showUser(principal, id));
      requireAdmin(principal);
      await admin.setPassword(id, (request.body as Static<typeof S.SetPassword>).password);
      reply.code(204);
      return reply.send();
    },
  });
  router.route({
    method: 'POST',
    url: '/users/:id/totp',
    summary: 'Enroll a user in TOTP (the otpauth URI is shown once)',
    tag: 'users',
    params: S.Id('id'),
    response: { 201: S.TotpEnrollment },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      guardOperator(principal, await showUser(principal, id));
      requireAdmin(principal);
      // The URI holds the secret: answered once, never stored in the clear (RFC 6238).
      const enrolled = await admin.enrollTotp(id);
      reply.code(201);
      return enrolled;
    },
  });
  router.route({
    method: 'GET',
    url: '/users/:id/passkeys',
    summary: "List a user's passkeys (names, transports, backup state, last use; never key material)",
    tag: 'users',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(S.Passkey) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      await showUser(principal, id);
      const passkeys = await admin.listPasskeys(id);
      return page(request, reply, config.issuer, passkeys, (p) => byCreation(p, p.id));
    },
  });
  router.route({
    method: 'PATCH',
    url: '/users/:id/passkeys/:passkey_id',
    summary: "Rename one of a user's passkeys (audited as passkey.renamed)",
    tag: 'users',
    params: S.PasskeyParams,
    body: S.RenamePasskey,
    response: { 200: S.Passkey },
    async handler({ request, principal, admin }) {
      const { id, passkey_id: passkeyId } = request.params as { id: string; passkey_id: string };
      guardOperator(principal, await showUser(principal, id));
      const { name } = request.body as Static<typeof S.RenamePasskey>;
      const { userId: _user, tenantId: _tenant, ...passkey } = await admin.renamePasskey(id, passkeyId, name);
      return passkey;
    },
  });
  router.route({
    method: 'DELETE',
    url: '/users/:id/passkeys/:passkey_id',
    summary: "Remove one of a user's passkeys (it no longer signs in)",
    tag: 'users',
    params: S.PasskeyParams,
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id, passkey_id: passkeyId } = request.params as { id: string; passkey_id: string };
      guardOperator(principal, await showUser(principal, id));
      await admin.removePasskey(id, passkeyId);
      reply.code(204);
      return reply.send();
    },
  });
  router.route({
    method: 'DELETE',
    url: '/users/:id/second-factors',
    summary: "Reset a user's second factors: the TOTP secret and every passkey are removed",
    tag: 'users',
    params: S.Id('id'),
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      guardOperator(principal, await showUser(principal, id));
      requireAdmin(principal);
      await admin.resetSecondFactors(id);
      reply.code(204);
      return reply.send();
    },
  });
  router.route({
    method: 'GET',
    url: '/users/:id/grants',
    summary: 'List the applications a user allowed on the consent page, and what they may receive',
    tag: 'grants',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(S.Grant) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      await showUser(principal, id);
      const grants = await admin.listGrants(id);
      return page(request, reply, config.issuer, grants, (g) => byCreation(g, g.client_id));
    },
  });
  router.route({
    method: 'DELETE',
    url: '/users/:id/grants/:client_id',
    summary: "Withdraw a user's grant to an application (that app's sessions of the user end)",
    tag: 'grants',
    params: S.GrantParams,
    response: { 204: null },
    async handler({ request, reply, principal, admin }) {
      const { id, client_id: clientId } = request.params as { id: string; client_id: string };
      guardOperator(principal, await showUser(principal, id));
      await admin.withdrawGrant(id, clientId);
      reply.code(204);
      return reply.send();
    },
  });
  router.route({
    method: 'GET',
    url: '/users/:id/access-keys',
    summary: "List a user's access keys",
    tag: 'access-keys',
    params: S.Id('id'),
    querystring: S.Page,
    response: { 200: S.List(S.AccessKey) },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      await showUser(principal, id);
      const keys = (await admin.listAccessKeys({ userId: id })).map(keyView);
      return page(request, reply, config.issuer, keys, (k) => byCreation(k, k.accessKeyId));
    },
  });
  router.route({
    method: 'POST',
    url: '/users/:id/access-keys',
    summary: 'Generate an access key (its secret is shown once)',
    tag: 'access-keys',
    params: S.Id('id'),
    response: { 201: S.NewAccessKey },
    async handler({ request, reply, principal, admin }) {
      const { id } = request.params as { id: string };
      guardOperator(principal, await showUser(principal, id));
      // At the self level this is self-service: the tenant's switch and an administrator's
      // deactivation of one of the user's keys decide (service/access-keys.ts).
      const selfService = principal.level === 'self';
      const key = keyView(
        await admin.createAccessKey({ userId: id, ...(selfService ? { selfService } : {}) }),
      );
      reply
        .code(201)
        .header('Location', `${config.issuer}/admin/v1/access-keys/${encodeURIComponent(key.accessKeyId)}`);
      return key;
    },
  });
}
