// What the endpoints that a client calls with a form share (token, revocation, introspection):
// `Cache-Control: no-store`, only application/x-www-form-urlencoded, and client authentication.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noStore } from '../http/headers.js';
import { type AuthenticatedClient, authenticateClient } from '../protocol/client-auth.js';
import { InvalidRequest } from '../protocol/errors.js';
import { type FormParams, isForm } from '../protocol/params.js';
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

/** The form and its authenticated client, with the cached records as of this request. */
export async function authenticatedForm(
  request: FastifyRequest,
  deps: { lookups: Lookups; hasher: Hasher },
): Promise<{ params: FormParams; client: AuthenticatedClient; lookups: LookupView }> {
  const params = (request.body ?? {}) as FormParams;
  // One revision read per request: every cached record used below is current (docs/storage.md).
  const lookups = await deps.lookups.current(request);
  const client = await authenticateClient(
    { getApplication: lookups.application, hasher: deps.hasher },
    request.headers.authorization,
    params,
  );
  return { params, client, lookups };
}
