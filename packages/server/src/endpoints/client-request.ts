// What the endpoints that a client calls with a form share (token, revocation, introspection):
// `Cache-Control: no-store`, only application/x-www-form-urlencoded, and throttled client authentication.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../domain/types.js';
import { noStore } from '../http/headers.js';
import type { Audit } from '../observability/audit.js';
import { type AuthenticatedClient, authenticateClient, parseBasic } from '../protocol/client-auth.js';
import { InvalidClient, InvalidRequest } from '../protocol/errors.js';
import { type FormParams, isForm } from '../protocol/params.js';
import type { Throttle } from '../protocol/throttling.js';
import type { Lookups, LookupView } from '../storage/lookups.js';
import type { Hasher } from '../tokens/refresh-token.js';

/**
 * The onRequest hook: checked before the body is read, so no other media type is ever parsed.
 * @see RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1
 */
export async function formOnly(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  noStore(reply);
  if (!isForm(request.headers['content-type'])) {
    throw new InvalidRequest('the Content-Type must be application/x-www-form-urlencoded');
  }
}

/** The client id a request presents, read without judging it (a malformed header is judged later). */
export function presentedClientId(authorization: string | undefined, params: FormParams): string | undefined {
  if (authorization === undefined) return params['client_id'];
  try {
    return parseBasic(authorization).clientId;
  } catch {
    return undefined;
  }
}

export interface ClientRequestDeps {
  readonly lookups: Lookups;
  readonly hasher: Hasher;
  readonly throttle: Throttle;
  readonly audit: Audit;
  readonly clock: () => Date;
}

/**
 * The form and its authenticated client, with the cached records as of this request. Client
 * authentication is throttled and audited here as at the token endpoint, so a client id delayed there
 * is delayed at revocation and introspection too (docs/operations.md "Throttling").
 */
export async function authenticatedForm(
  request: FastifyRequest,
  deps: ClientRequestDeps,
): Promise<{ params: FormParams; client: AuthenticatedClient; lookups: LookupView }> {
  const params = (request.body ?? {}) as FormParams;
  const clientId = presentedClientId(request.headers.authorization, params);
  // One revision read per request (docs/storage.md); the throttle's read runs beside it.
  const [lookups, ticket] = await Promise.all([
    deps.lookups.current(request),
    deps.throttle.check({
      identifiers: clientId === undefined ? [] : [{ kind: 'client', value: clientId }],
      address: request.ip,
    }),
  ]);
  let presented: Application | undefined;
  try {
    const client = await authenticateClient(
      {
        getApplication: async (id) => {
          presented = await lookups.application(id);
          return presented;
        },
        hasher: deps.hasher,
        now: deps.clock(),
      },
      request.headers.authorization,
      params,
    );
    deps.throttle
      .succeed(ticket)
      .catch((err: unknown) => request.log.warn({ err }, 'could not clear throttle counters'));
    return { params, client, lookups };
  } catch (err) {
    if (err instanceof InvalidClient) {
      await deps.throttle.fail(ticket).catch((failure: unknown) => {
        request.log.error({ err: failure }, 'could not count a failed attempt');
      });
      deps.audit.record({
        type: 'client.authentication_failed',
        // Only a client that exists is named: an unknown id may be a secret pasted in the wrong field.
        actor: presented ? `client:${presented.clientId}` : null,
        tenantId: presented?.tenantId ?? null,
        address: request.ip,
        details: { endpoint: request.routeOptions.url, error: err.error, description: err.description },
      });
    }
    throw err;
  }
}
