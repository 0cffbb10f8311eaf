// /auth/sso/…: where a tenant's identity provider sends the person back (docs/sso.md): the OIDC
// callback, and per SAML IdP its SP metadata and its ACS (HTTP-POST binding). Each answers with the
// sign-in's code redirect, or a page: never a code for an answer that did not check out.
import type { FastifyInstance } from 'fastify';
import { ROUTE, ROUTE_PREFIX } from '../http/routes.js';
import { refusePage } from '../interaction/outcome.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';
import { interactionDeps } from './interaction.js';

export const OIDC_CALLBACK = `${ROUTE_PREFIX.sso.prefix}/oidc/:idpId/callback`;
export const SAML_METADATA = `${ROUTE_PREFIX.sso.prefix}/saml/:idpId/metadata`;
export const SAML_ACS = `${ROUTE_PREFIX.sso.prefix}/saml/:idpId/acs`;

/** A SAMLResponse with its certificate is larger than any other form the service takes. */
const ACS_BODY_LIMIT = 256 * 1024;

/** Registers the federated sign-in callbacks. */
export function registerSso(
  app: FastifyInstance,
  services: Pick<
    Services,
    'config' | 'kek' | 'storage' | 'hasher' | 'signIn' | 'lookups' | 'clock' | 'throttle' | 'audit' | 'mailer'
  >,
): void {
  // The consent form that may follow posts to the authorization endpoint, like the sign-in form.
  const deps = interactionDeps(services, ROUTE.authorize.path);
  app.get(OIDC_CALLBACK, async (request, reply) => {
    const { idpId } = request.params as { idpId: string };
    const view = await services.lookups.current(request);
    return services.signIn.federation.oidcCallback(deps, request, reply, {
      idpId,
      getApplication: view.application,
      now: services.clock(),
    });
  });
  app.get(SAML_METADATA, async (request, reply) => {
    const { idpId } = request.params as { idpId: string };
    const idp = await services.storage.identityProviders.get(idpId);
    if (!idp?.enabled || idp.kind !== 'saml')
      return refusePage(reply, 404, 'Not found', 'No such identity provider.');
    return reply
      .header('Cache-Control', 'public, max-age=300')
      .type('application/samlmetadata+xml; charset=utf-8')
      .send(await services.signIn.federation.samlMetadata(idp));
  });
  app.post(SAML_ACS, { bodyLimit: ACS_BODY_LIMIT }, async (request, reply) => {
    const { idpId } = request.params as { idpId: string };
    if (!isForm(request.headers['content-type'])) {
      return refusePage(
        reply,
        415,
        'The sign-in could not be verified',
        'The answer was not sent as a form.',
      );
    }
    return services.signIn.federation.samlAcs(deps, request, reply, {
      idpId,
      body: (request.body ?? {}) as Record<string, unknown>,
      now: services.clock(),
    });
  });
  app.get(SAML_ACS, async (request, reply) => {
    const { idpId } = request.params as { idpId: string };
    const ticket = (request.query as Record<string, unknown>)['ticket'];
    const view = await services.lookups.current(request);
    return services.signIn.federation.samlContinue(deps, request, reply, {
      idpId,
      ticket: typeof ticket === 'string' ? ticket : '',
      getApplication: view.application,
      now: services.clock(),
    });
  });
}
