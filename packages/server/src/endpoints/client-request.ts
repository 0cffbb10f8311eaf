// What the endpoints that a client calls with a form share (token, revocation, introspection):
// `Cache-Control: no-store`, only application/x-www-form-urlencoded, and throttled client authentication.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../domain/types.js';
import { noStore } from '../http/headers.js';
import type { Audit } from '../observability/audit.js';
import { authenticateClient, type ClientAuthMethod, parseBasic } from '../protocol/client-auth.js';
import { InvalidClient, InvalidGrant, InvalidRequest } from '../protocol/errors.js';
import { type FormParams, isForm } from '../protocol/params.js';
import type { Hasher } from '../secrets/hasher.js';
import type { Lookups, LookupView } from '../storage/lookups.js';
import type { Throttle, ThrottleIdentifier, ThrottleTicket } from '../throttling/throttle.js';

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

/** What the work of an authenticated client request is given. */
export interface ClientCall {
  readonly params: FormParams;
  readonly client: Application;
  /** How it authenticated (`none` for a public client). */
  readonly method: ClientAuthMethod;
  /** The cached records as of this request's revision. */
  readonly lookups: LookupView;
  /** One instant for the whole request: a rotated-out secret's overlap and any tokens issued. */
  readonly now: Date;
}

/**
 * Runs `work` for the authenticated client of a form request, throttled and audited: the client id,
 * the source address and `identifiers` (what a grant presents) are checked before the credentials
 * (429 while delayed). Every `invalid_client` and `invalid_grant` is recorded, but only a refused
 * credential (a wrong or unknown client secret or access-key secret) is counted, and only against
 * itself from this address and the address: a malformed request, or a spent refresh token or code,
 * counts against no one. A success clears the pair counters it had. The token endpoint, revocation and
 * introspection all pass here, so no endpoint that checks a client secret bypasses the throttle.
 * @see RFC 6749 §2.3 and §5.2, RFC 6585 §4, docs/operations.md "Throttling"
 */
export async function withClient<T>(
  request: FastifyRequest,
  deps: ClientRequestDeps,
  identifiers: readonly ThrottleIdentifier[],
  work: (call: ClientCall) => Promise<T>,
  grantType?: string,
): Promise<T> {
  const params = (request.body ?? {}) as FormParams;
  const clientId = presentedClientId(request.headers.authorization, params);
  // One read: the throttle counters and the revision in one statement, so every cached record used
  // below is current (docs/storage.md); without throttling, the revision alone.
  const ticket = await deps.throttle.check({
    identifiers: clientId === undefined ? identifiers : [{ kind: 'client', value: clientId }, ...identifiers],
    address: request.ip,
  });
  const lookups = await deps.lookups.current(request, ticket.revision);
  const now = deps.clock();
  let presented: Application | undefined;
  try {
    const { app: client, method } = await authenticateClient(
      {
        getApplication: async (id) => {
          presented = await lookups.application(id);
          return presented;
        },
        hasher: deps.hasher,
        now,
      },
      request.headers.authorization,
      params,
    );
    const result = await work({ params, client, method, lookups, now });
    // Writes only when this identifier had failed from this address before.
    deps.throttle
      .succeed(ticket)
      .catch((err: unknown) => request.log.warn({ err }, 'could not clear throttle counters'));
    return result;
  } catch (err) {
    if (err instanceof InvalidClient || err instanceof InvalidGrant) {
      await refused(deps, request, ticket, err, presented, grantType);
    }
    throw err;
  }
}

/** Records a refusal in the audit trail and, when it refused a credential, counts that failure. */
async function refused(
  deps: ClientRequestDeps,
  request: FastifyRequest,
  ticket: ThrottleTicket,
  err: InvalidClient | InvalidGrant,
  client: Application | undefined,
  grantType: string | undefined,
): Promise<void> {
  const common = {
    // Only a client that exists is named: an unknown id may be a secret pasted in the wrong field.
    actor: client ? `client:${client.clientId}` : null,
    tenantId: client?.tenantId ?? null,
    address: request.ip,
  };
  deps.audit.record({
    ...common,
    type: err instanceof InvalidClient ? 'client.authentication_failed' : 'grant.refused',
    details: {
      endpoint: request.routeOptions.url,
      grantType,
      error: err.error,
      description: err.description,
    },
  });
  const credential = err.refused;
  if (!credential) return;
  const failed: ThrottleIdentifier = { kind: credential.kind, value: credential.id };
  await deps.throttle
    .fail(ticket, [failed], {
      actor: common.actor,
      tenantId: common.tenantId,
      known: credential.known ? [failed] : [],
    })
    .catch((failure: unknown) => request.log.error({ err: failure }, 'could not count a failed attempt'));
}
