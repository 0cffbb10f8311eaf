// POST /auth/token: throttling, client authentication, grant dispatch, and the no-store token
// response. The throttle is checked here, around every grant, so no grant can bypass it: each grant
// names its own identifiers (`throttleKeys`), and the client id and source address always count.
import type { FastifyInstance } from 'fastify';
import { typeAllows } from '../domain/app-types.js';
import type { GrantName } from '../domain/types.js';
import type { Grant, GrantServices } from '../grants/index.js';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { InvalidDpopProof, InvalidRequest, OAuthError } from '../protocol/errors.js';
import { checkResource } from '../protocol/resource.js';
import type { Services } from '../services/index.js';
import { type ClientRequestServices, clientRequest, formOnly, withClient } from './client-request.js';

/** What the token endpoint reads: the client request's services and the grants'. */
export type TokenEndpointServices = ClientRequestServices &
  Omit<GrantServices, 'verifier'> &
  Pick<Services, 'ring' | 'dpop'>;

/**
 * Registers the token endpoint with the enabled `grants` (grants/index.ts).
 * @see RFC 6749 §3.2, §4.3, §5 and §6; RFC 6585 §4 (429 while throttled)
 */
export function registerTokenEndpoint(
  app: FastifyInstance,
  services: TokenEndpointServices,
  grants: ReadonlyMap<string, Grant>,
): void {
  const grantServices: GrantServices = {
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    tokens: services.tokens,
    audit: services.audit,
    verifier: services.ring.verifier,
  };
  const url = `${services.config.issuer}${ROUTE.token.path}`;
  app.post(ROUTE.token.path, {
    // Checked before the body is read, so no other media type is ever parsed here (RFC 6749 §4.3.2).
    onRequest: formOnly,
    handler: async (fastifyRequest, reply) => {
      const request = clientRequest(fastifyRequest, url);
      const { params } = request;
      const grantType = params['grant_type'];
      const grant = grantType === undefined ? undefined : grants.get(grantType);
      const identifiers = grant?.throttleKeys(params) ?? [];
      const response = await withClient(
        request,
        services,
        identifiers,
        async ({ client, lookups, now }) => {
          if (grantType === undefined) throw new InvalidRequest('grant_type is required');
          if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant_type is not supported');
          // Both the registration and the type's table (domain/app-types.ts) must allow the grant.
          if (
            !client.grantTypes.includes(grantType as GrantName) ||
            !typeAllows(client.type, client.tenancy, grantType)
          ) {
            throw new OAuthError('unauthorized_client', 'this client may not use this grant_type');
          }
          for (const name of grant.parameters) {
            if (params[name] === undefined) throw new InvalidRequest(`${name} is required`);
          }
          // RFC 8707 §2.2: the audience of the access token this request asks for.
          const resource = checkResource(params['resource'], services.tokens.resources, client);
          // RFC 9449 §5: a proof binds the access token (and a public client's refresh token).
          const dpop = await services.dpop.check(request.dpop, now);
          if (!dpop && client.dpopBoundAccessTokens) {
            throw new InvalidDpopProof('this client must send a DPoP proof with each token request');
          }
          return grant.handler({
            params,
            resource,
            client,
            now,
            log: request.log,
            lookups,
            dpop,
            services: dpop
              ? { ...grantServices, tokens: grantServices.tokens.boundTo(dpop.jkt) }
              : grantServices,
          });
        },
        grant?.grantType,
      );
      // RFC 9449 §8.2: a fresh nonce with each answer, so a client never needs a refused request.
      if (services.dpop.nonceRequired) reply.header('DPoP-Nonce', services.dpop.nonce(services.clock()));
      return sendJson(reply, JSON.stringify(response));
    },
  });
}
