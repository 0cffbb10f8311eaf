// What the endpoints that a client calls with a form share (token, revocation, introspection):
// `Cache-Control: no-store`, only application/x-www-form-urlencoded, and throttled client authentication.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../domain/logger.js';
import type { Application } from '../domain/types.js';
import { noStore } from '../http/headers.js';
import {
  authenticateClient,
  type ClientAuthMethod,
  type PresentedBasic,
  readBasic,
} from '../protocol/client-auth.js';
import { InvalidClient, InvalidGrant, InvalidRequest } from '../protocol/errors.js';
import { type FormParams, isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';
import type { LookupView } from '../storage/lookups.js';
import type { ThrottleIdentifier, ThrottleTicket } from '../throttling/throttle.js';
import { dpopHeaderValues, type PresentedProof } from '../tokens/dpop.js';

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

/**
 * One request of a client to the token, revocation or introspection endpoint, read once: its form
 * parameters, the Basic credentials it presents (parsed once, judged when it is authenticated), the
 * client id it names, the client's address (http/client-address.ts), and its logger. Everything
 * below the endpoint (the throttle, client authentication, the grants) reads this, never Fastify.
 */
export interface ClientRequest {
  readonly params: FormParams;
  /** The Authorization header's Basic credentials, or why they are refused; undefined when none. */
  readonly basic: PresentedBasic | undefined;
  /** The client id the request presents, read without judging it (a malformed header names none). */
  readonly clientId: string | undefined;
  readonly address: string;
  readonly log: Logger;
  /** The route, named in audit events. */
  readonly endpoint: string | undefined;
  /** What the request's storage revision is remembered by (the CORS hook may have read it). */
  readonly scope: object;
  /** The request's DPoP proof(s) and what they must name (RFC 9449 §4.3), checked by the endpoint. */
  readonly dpop: PresentedProof;
}

/**
 * Reads a Fastify request into its {@link ClientRequest}. `endpointUrl` is the endpoint's URL as
 * discovery names it (the issuer's, never taken from the Host header): a DPoP proof's `htu`
 * (only the token endpoint reads proofs).
 */
export function clientRequest(request: FastifyRequest, endpointUrl = ''): ClientRequest {
  const params = (request.body ?? {}) as FormParams;
  const authorization = request.headers.authorization;
  const basic = authorization === undefined ? undefined : readBasic(authorization);
  let clientId: string | undefined;
  if (basic === undefined) clientId = params['client_id'];
  else if (!('refused' in basic)) clientId = basic.clientId;
  return {
    params,
    basic,
    clientId,
    address: request.ip,
    log: request.log,
    endpoint: request.routeOptions.url,
    scope: request,
    dpop: { proofs: dpopHeaderValues(request.headers.dpop), method: request.method, url: endpointUrl },
  };
}

/** The services a client request reads. */
export type ClientRequestServices = Pick<Services, 'lookups' | 'hasher' | 'throttle' | 'audit' | 'clock'>;

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
  request: ClientRequest,
  services: ClientRequestServices,
  identifiers: readonly ThrottleIdentifier[],
  work: (call: ClientCall) => Promise<T>,
  grantType?: string,
): Promise<T> {
  const { params, clientId } = request;
  // One read: the throttle counters and the revision in one statement, so every cached record used
  // below is current (docs/storage.md); without throttling, the revision alone. When the CORS hook
  // has read the revision of this request already, the throttle reads its counters alone.
  const known = services.lookups.known(request.scope);
  const ticket = await services.throttle.check({
    identifiers: clientId === undefined ? identifiers : [{ kind: 'client', value: clientId }, ...identifiers],
    address: request.address,
    revision: !known,
  });
  const lookups = await (known ?? services.lookups.current(request.scope, ticket.revision));
  const now = services.clock();
  let presented: Application | undefined;
  try {
    const { app: client, method } = await authenticateClient(
      {
        getApplication: async (id) => {
          presented = await lookups.application(id);
          return presented;
        },
        hasher: services.hasher,
        now,
      },
      request.basic,
      params,
    );
    const result = await work({ params, client, method, lookups, now });
    // Writes only when this identifier had failed from this address before.
    services.throttle
      .succeed(ticket)
      .catch((err: unknown) => request.log.warn({ err }, 'could not clear throttle counters'));
    return result;
  } catch (err) {
    if (err instanceof InvalidClient || err instanceof InvalidGrant) {
      await refused(services, request, ticket, err, presented, grantType);
    }
    throw err;
  }
}

/** Records a refusal in the audit trail and, when it refused a credential, counts that failure. */
async function refused(
  services: ClientRequestServices,
  request: ClientRequest,
  ticket: ThrottleTicket,
  err: InvalidClient | InvalidGrant,
  client: Application | undefined,
  grantType: string | undefined,
): Promise<void> {
  const common = {
    // Only a client that exists is named: an unknown id may be a secret pasted in the wrong field.
    actor: client ? `client:${client.clientId}` : null,
    tenantId: client?.tenantId ?? null,
    address: request.address,
  };
  services.audit.record({
    ...common,
    type: err instanceof InvalidClient ? 'client.authentication_failed' : 'grant.refused',
    details: {
      endpoint: request.endpoint,
      grantType,
      error: err.error,
      description: err.description,
    },
  });
  const credential = err.refused;
  if (!credential) return;
  const failed: ThrottleIdentifier = { kind: credential.kind, value: credential.id };
  await services.throttle
    .fail(ticket, [failed], {
      actor: common.actor,
      tenantId: common.tenantId,
      known: credential.known ? [failed] : [],
    })
    .catch((failure: unknown) => request.log.error({ err: failure }, 'could not count a failed attempt'));
}
