// /auth/sso/…: where a tenant's identity provider sends the person back (docs/sso.md). The OIDC
// callback answers with the sign-in's code redirect, or a page: never a code for an answer that did
// not check out.
import type { FastifyInstance } from 'fastify';
import { ROUTE, ROUTE_PREFIX } from '../http/routes.js';
import type { InteractionDeps } from '../interaction/outcome.js';
import type { Services } from '../services/index.js';

export const OIDC_CALLBACK = `${ROUTE_PREFIX.sso.prefix}/oidc/:idpId/callback`;

/** Registers the federated sign-in callbacks. */
export function registerSso(
  app: FastifyInstance,
  services: Pick<Services, 'config' | 'kek' | 'storage' | 'hasher' | 'signIn' | 'lookups' | 'clock'>,
): void {
  const deps: InteractionDeps = {
    ...services.signIn,
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    kek: services.kek,
    // The consent form that may follow posts to the authorization endpoint, like the sign-in form.
    action: ROUTE.authorize.path,
  };
  app.get(OIDC_CALLBACK, async (request, reply) => {
    const { idpId } = request.params as { idpId: string };
    const view = await services.lookups.current(request);
    return services.signIn.federation.oidcCallback(deps, request, reply, {
      idpId,
      getApplication: view.application,
      now: services.clock(),
    });
  });
}
