// POST /auth/token: client authentication, grant dispatch, and the no-store token response.
import type { FastifyInstance } from 'fastify';
import type { GrantType } from '../domain/types.js';
import type { Grant, GrantDeps } from '../grants/index.js';
import { noStore, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { authenticateClient } from '../protocol/client-auth.js';
import { InvalidRequest, OAuthError } from '../protocol/errors.js';
import { type FormParams, isForm } from '../protocol/params.js';

export interface TokenEndpointDeps {
  readonly grants: ReadonlyMap<string, Grant>;
  readonly grantDeps: GrantDeps;
  readonly clock: () => Date;
}

/**
 * Registers the token endpoint.
 * @see RFC 6749 §3.2, §4.3, §5 and §6
 */
export function registerTokenEndpoint(app: FastifyInstance, deps: TokenEndpointDeps): void {
  app.post(ROUTE.token.path, {
    // Checked before the body is read, so no other media type is ever parsed here (RFC 6749 §4.3.2).
    onRequest: async (request, reply) => {
      noStore(reply);
      if (!isForm(request.headers['content-type'])) {
        throw new InvalidRequest('the Content-Type must be application/x-www-form-urlencoded');
      }
    },
    handler: async (request, reply) => {
      const params = (request.body ?? {}) as FormParams;
      // One revision read per request: every cached record used below is current (docs/storage.md).
      const lookups = await deps.grantDeps.lookups.current(request);
      const { app: client } = await authenticateClient(
        { getApplication: lookups.application, hasher: deps.grantDeps.hasher, now: deps.clock() },
        request.headers.authorization,
        params,
      );
      const grantType = params['grant_type'];
      if (grantType === undefined) throw new InvalidRequest('grant_type is required');
      const grant = deps.grants.get(grantType);
      if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant_type is not supported');
      if (!client.grantTypes.includes(grantType as GrantType)) {
        throw new OAuthError('unauthorized_client', 'this client may not use this grant_type');
      }
      for (const name of grant.parameters) {
        if (params[name] === undefined) throw new InvalidRequest(`${name} is required`);
      }
      const response = await grant.handler({
        params,
        client,
        now: deps.clock(),
        log: request.log,
        lookups,
        deps: deps.grantDeps,
      });
      return sendJson(reply, JSON.stringify(response));
    },
  });
}
