// GET /auth/revocations?after=<position>: the public revocation feed regional verifiers poll (one
// signed Security Event Token per page; docs/revocation.md). Names nothing in clear, so no auth.
import type { FastifyInstance } from 'fastify';
import { cacheFor, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { InvalidRequest } from '../protocol/errors.js';
import type { revocationFeed } from '../revocation/feed.js';

/** A page may be served from a cache this long (s): well inside the 5 s a revocation may take. */
export const FEED_MAX_AGE = 1;

const POSITION = /^(0|[1-9][0-9]{0,14})$/;

/** The `after` parameter: absent (start over), or one decimal position. */
function afterOf(query: unknown): number | undefined {
  const after = (query as Record<string, unknown> | undefined)?.['after'];
  if (after === undefined) return undefined;
  if (typeof after !== 'string' || !POSITION.test(after)) {
    throw new InvalidRequest('after must be a feed position (a non-negative integer), given once');
  }
  return Number(after);
}

/**
 * Registers the feed. The body has the shape of an RFC 8936 poll response, `{"sets": {jti: SET},
 * "moreAvailable"}`, with one SET per page (its signed `more` is what a verifier trusts).
 * @see RFC 8936 §2.5, RFC 8417 §2
 */
export function registerRevocations(app: FastifyInstance, feed: ReturnType<typeof revocationFeed>): void {
  app.get(ROUTE.revocations.path, async (request, reply) => {
    const page = await feed.page(afterOf(request.query));
    const body = JSON.stringify({ sets: { [page.jti]: page.jws }, moreAvailable: page.more });
    return sendJson(cacheFor(reply, FEED_MAX_AGE), body);
  });
}
