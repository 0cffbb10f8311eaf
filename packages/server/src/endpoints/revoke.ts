// POST /auth/revoke: a client ends a refresh token or an access token it was issued, and with it the
// token's session (every token of that grant); an application's own token (client credentials, no
// session) and a token it got by exchange (another app's session) alone, by its `jti`. Anything else
// is answered 200 and changes nothing.

import { isUserClaims } from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';
import type { Application } from '../domain/types.js';
import { noStore } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { InvalidRequest } from '../protocol/errors.js';
import type { Services } from '../services/index.js';
import { verifiedClaims } from '../tokens/liveness.js';
import { type ClientRequestServices, clientRequest, formOnly, withClient } from './client-request.js';

/** What revocation reads: the client request's services and the verifier of any of this issuer's audiences. */
export type RevokeServices = ClientRequestServices & Pick<Services, 'storage' | 'ring'>;

/** A compact JWS has three dot-separated parts; our refresh tokens have none. */
export const looksLikeJwt = (token: string): boolean => token.split('.').length === 3;

/** Ends the session of `client`'s refresh token; false when it is none of the client's. */
async function revokeRefreshToken(
  services: RevokeServices,
  client: Application,
  token: string,
): Promise<boolean> {
  const found = await services.storage.sessions.findRefreshToken(services.hasher.hash(token));
  // A token of another client is not revoked, and the answer does not say so (RFC 7009 §2.1).
  if (!found || found.session.clientId !== client.clientId) return false;
  await services.storage.sessions.revoke(found.session.id, 'revoked by the client', services.clock());
  return true;
}

/** Ends the session of `client`'s access token; false when it is not one of the client's. */
async function revokeAccessToken(
  services: RevokeServices,
  client: Application,
  token: string,
): Promise<boolean> {
  const verified = await verifiedClaims(services.ring.anyAudience, token);
  if (!('claims' in verified) || verified.claims.client_id !== client.clientId) return false;
  // An application's own token has no session to end: that one token is revoked by its jti, refused
  // at once by introspection and userinfo here and, through the revocation feed, by the regional APIs
  // until it expires (docs/revocation.md).
  const { claims } = verified;
  // A token exchanged from another app's (RFC 8693) shares that app's session: ending the session
  // would let the exchanging app sign the user out of the other one, so it too is revoked alone.
  const alone =
    !isUserClaims(claims) || (await services.storage.sessions.get(claims.sid))?.clientId !== client.clientId;
  if (!alone) {
    await services.storage.sessions.revoke(claims.sid, 'revoked by the client', services.clock());
    return true;
  }
  // Once is enough: revoking it again would only add copies of one event to the public feed.
  const issuedAt = new Date(claims.iat * 1000 - 1000);
  if (!(await services.storage.revocations.isTokenRevoked(claims.jti, issuedAt))) {
    await services.storage.revocations.revokeToken(claims.jti, services.clock());
  }
  return true;
}

/**
 * Registers the revocation endpoint. `token_type_hint` is accepted and not needed (any value is
 * ignored). Answers 200 with an empty body whether or not anything was revoked.
 * @see RFC 7009 §2.1 and §2.2
 */
export function registerRevocation(app: FastifyInstance, services: RevokeServices): void {
  app.post(ROUTE.revocation.path, {
    onRequest: formOnly,
    handler: async (request, reply) => {
      await withClient(clientRequest(request), services, [], async ({ params, client }) => {
        const token = params['token'];
        if (token === undefined) throw new InvalidRequest('token is required');
        // The two kinds cannot be mistaken for each other (refresh tokens hold no dot), so the shape
        // decides where to look and the hint is not needed (RFC 7009 §2.1 lets the server search).
        const done = looksLikeJwt(token)
          ? await revokeAccessToken(services, client, token)
          : await revokeRefreshToken(services, client, token);
        if (done) request.log.info({ clientId: client.clientId }, 'token revoked');
      });
      return noStore(reply).code(200).send();
    },
  });
}
