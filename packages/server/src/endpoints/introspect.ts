// POST /auth/introspect: a client (a resource server) asks whether a token is active and what it
// carries. Active means valid and everything behind it still live (tokens/liveness.ts), read from
// storage on every call; otherwise, and for anything unknown, `{"active":false}` alone.
import { userSubject } from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';
import type { Application } from '../domain/types.js';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { InvalidClient, InvalidRequest } from '../protocol/errors.js';
import type { Services } from '../services/index.js';
import { liveSession, liveToken, verifiedClaims } from '../tokens/liveness.js';
import { type ClientRequestServices, clientRequest, formOnly, withClient } from './client-request.js';
import { looksLikeJwt } from './revoke.js';

/** What introspection reads: revocation's services and the issuer it names. */
export type IntrospectServices = ClientRequestServices & Pick<Services, 'storage' | 'ring' | 'config'>;

const INACTIVE = JSON.stringify({ active: false });

/** A tenant-bound caller learns nothing of another tenant's tokens. */
const sees = (caller: Application, tenantId: string) =>
  caller.tenantId === null || caller.tenantId === tenantId;

async function accessToken(services: IntrospectServices, caller: Application, token: string) {
  const verified = await verifiedClaims(services.ring.anyAudience, token);
  if (!('claims' in verified)) return undefined;
  const live = await liveToken(services.storage, verified.claims, services.clock());
  if (!live || !sees(caller, live.tenant.id)) return undefined;
  const c = live.claims;
  return {
    active: true,
    scope: c.scope,
    client_id: c.client_id,
    // RFC 9449 §6.2: a bound token is a DPoP token, and its key is named.
    token_type: c.cnf === undefined ? 'Bearer' : 'DPoP',
    ...(c.cnf === undefined ? {} : { cnf: { jkt: c.cnf.jkt } }),
    exp: c.exp,
    iat: c.iat,
    sub: c.sub,
    aud: c.aud,
    iss: c.iss,
    jti: c.jti,
    ...(c.sid === undefined ? {} : { sid: c.sid }),
    tenantId: c.tenantId,
    ...(live.kind === 'user' ? { username: live.user.email } : {}),
  };
}

/** A refresh token is active while it can still be used, and only its own client is told so. */
async function refreshToken(services: IntrospectServices, caller: Application, token: string) {
  const found = await services.storage.sessions.findRefreshToken(services.hasher.hash(token));
  if (!found || found.session.clientId !== caller.clientId) return undefined;
  const now = services.clock();
  if (found.token.usedAt !== null || found.token.expiresAt <= now) return undefined;
  const live = await liveSession(services.storage, found.session, found.session.clientId, now);
  if (!live || !sees(caller, live.tenant.id)) return undefined;
  return {
    active: true,
    scope: found.token.scope,
    client_id: found.session.clientId,
    exp: Math.floor(found.token.expiresAt.getTime() / 1000),
    iat: Math.floor(found.token.createdAt.getTime() / 1000),
    sub: userSubject(live.user.id),
    iss: services.config.issuer,
    sid: found.session.id,
    tenantId: live.tenant.id,
    username: live.user.email,
  };
}

/**
 * Registers the introspection endpoint. Callers authenticate with a secret (a public client cannot
 * be told whether tokens are active); `token_type_hint` is accepted and not needed.
 * @see RFC 7662 §2.1, §2.2 and §2.3, RFC 7662 §4 (what an inactive answer may say: nothing)
 */
export function registerIntrospection(app: FastifyInstance, services: IntrospectServices): void {
  app.post(ROUTE.introspection.path, {
    onRequest: formOnly,
    handler: async (request, reply) => {
      const answer = await withClient(
        clientRequest(request),
        services,
        [],
        async ({ params, client, method }) => {
          if (method === 'none') throw new InvalidClient('introspection needs client authentication', false);
          const token = params['token'];
          if (token === undefined) throw new InvalidRequest('token is required');
          return looksLikeJwt(token)
            ? accessToken(services, client, token)
            : refreshToken(services, client, token);
        },
      );
      return sendJson(reply, answer ? JSON.stringify(answer) : INACTIVE);
    },
  });
}
