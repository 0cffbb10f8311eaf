// POST /auth/token: throttling, client authentication, grant dispatch, and the no-store token
// response. The throttle is checked here, around every grant, so no grant can bypass it: each grant
// names its own identifiers (`throttleKeys`), and the client id and source address always count.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Application, GrantName } from '../domain/types.js';
import type { Grant, GrantDeps } from '../grants/index.js';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import type { Audit } from '../observability/audit.js';
import { typeAllows } from '../protocol/app-types.js';
import { authenticateClient } from '../protocol/client-auth.js';
import { InvalidClient, InvalidGrant, InvalidRequest, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import type { Throttle, ThrottleIdentifier, ThrottleTicket } from '../protocol/throttling.js';
import { formOnly, presentedClientId } from './client-request.js';

export interface TokenEndpointDeps {
  readonly grants: ReadonlyMap<string, Grant>;
  readonly grantDeps: GrantDeps;
  readonly clock: () => Date;
  readonly throttle: Throttle;
  readonly audit: Audit;
}

/** Every identifier of a token request: the client's, and those its grant names. */
function identifiersOf(request: FastifyRequest, params: FormParams, grant: Grant | undefined) {
  const identifiers: ThrottleIdentifier[] = [];
  const clientId = presentedClientId(request.headers.authorization, params);
  if (clientId !== undefined) identifiers.push({ kind: 'client', value: clientId });
  if (grant?.throttleKeys) identifiers.push(...grant.throttleKeys(params));
  return identifiers;
}

/** Counts a refused credential and records it (and a delay it starts) in the audit trail. */
async function refused(
  deps: TokenEndpointDeps,
  request: FastifyRequest,
  ticket: ThrottleTicket,
  err: InvalidClient | InvalidGrant,
  context: { client: Application | undefined; grantType: string | undefined },
): Promise<void> {
  const outcome = await deps.throttle.fail(ticket).catch((failure: unknown) => {
    request.log.error({ err: failure }, 'could not count a failed attempt');
    return { delayed: [], retryAfter: 0 };
  });
  const { client } = context;
  const common = {
    // Only a client that exists is named: an unknown id may be a secret pasted in the wrong field.
    actor: client ? `client:${client.clientId}` : null,
    tenantId: client?.tenantId ?? null,
    address: request.ip,
  };
  deps.audit.record({
    ...common,
    type: err instanceof InvalidClient ? 'client.authentication_failed' : 'grant.refused',
    details: { grantType: context.grantType, error: err.error, description: err.description },
  });
  if (outcome.retryAfter > 0) {
    deps.audit.record({
      ...common,
      type: 'throttle.engaged',
      details: {
        delayed: outcome.delayed.map((d) => `${d.kind}/${d.scope}`).join(' '),
        retryAfterSeconds: outcome.retryAfter,
      },
    });
  }
}

/**
 * Registers the token endpoint.
 * @see RFC 6749 §3.2, §4.3, §5 and §6; RFC 6585 §4 (429 while throttled)
 */
export function registerTokenEndpoint(app: FastifyInstance, deps: TokenEndpointDeps): void {
  app.post(ROUTE.token.path, {
    // Checked before the body is read, so no other media type is ever parsed here (RFC 6749 §4.3.2).
    onRequest: formOnly,
    handler: async (request, reply) => {
      const params = (request.body ?? {}) as FormParams;
      const grantType = params['grant_type'];
      const grant = grantType === undefined ? undefined : deps.grants.get(grantType);
      // One read per request: the throttle counters and the revision in one statement, so every
      // cached record used below is current (docs/storage.md); without throttling, the revision alone.
      const ticket = await deps.throttle.check({
        identifiers: identifiersOf(request, params, grant),
        address: request.ip,
      });
      const lookups = await deps.grantDeps.lookups.current(request, ticket.revision);
      let presented: Application | undefined;
      // One instant for the whole request: a rotated-out secret's overlap and the grant's tokens.
      const now = deps.clock();
      try {
        const { app: client } = await authenticateClient(
          {
            getApplication: async (id) => {
              presented = await lookups.application(id);
              return presented;
            },
            hasher: deps.grantDeps.hasher,
            now,
          },
          request.headers.authorization,
          params,
        );
        if (grantType === undefined) throw new InvalidRequest('grant_type is required');
        if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant_type is not supported');
        // Both the registration and the type's table (protocol/app-types.ts) must allow the grant.
        if (
          !client.grantTypes.includes(grantType as GrantName) ||
          !typeAllows(client.type, client.tenancy, grantType)
        ) {
          throw new OAuthError('unauthorized_client', 'this client may not use this grant_type');
        }
        for (const name of grant.parameters) {
          if (params[name] === undefined) throw new InvalidRequest(`${name} is required`);
        }
        const response = await grant.handler({
          params,
          client,
          now,
          log: request.log,
          lookups,
          deps: deps.grantDeps,
        });
        // Writes only when this identifier had failed from this address before.
        deps.throttle
          .succeed(ticket)
          .catch((err: unknown) => request.log.warn({ err }, 'could not clear throttle counters'));
        return sendJson(reply, JSON.stringify(response));
      } catch (err) {
        if (err instanceof InvalidClient || err instanceof InvalidGrant) {
          await refused(deps, request, ticket, err, {
            client: presented,
            grantType: grant?.grantType,
          });
        }
        throw err;
      }
    },
  });
}
