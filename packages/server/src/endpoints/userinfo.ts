// GET|POST /auth/userinfo: the profile of the user an access token was issued for, answered only while
// the token's session, application, access key, user and tenant are all still active.
import { parseSubject, type Verifier } from '@cxauth/verify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noStore, sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { InvalidToken, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { hasScope } from '../protocol/scope.js';
import type { Services } from '../services/index.js';
import type { Storage } from '../storage/contract/index.js';
import { type DpopProofs, dpopHeaderValues } from '../tokens/dpop.js';
import { ENDED, liveToken } from '../tokens/liveness.js';
import { presentedClaims } from '../tokens/presented.js';

export interface UserinfoDeps {
  /** This issuer's verifier (KeyRing.verifier): every strict check of @cxauth/verify. */
  readonly verifier: Pick<Verifier, 'verify'>;
  readonly storage: Storage;
  readonly clock: () => Date;
  /** DPoP proofs of bound tokens (RFC 9449 §7). */
  readonly dpop: DpopProofs;
}

/**
 * Registers userinfo. An application-subject token has no user here (`invalid_token`).
 * @see OpenID Connect Core 1.0 §5.3, RFC 6750 §3
 */
export function registerUserinfo(
  app: FastifyInstance,
  services: Pick<Services, 'ring' | 'storage' | 'clock' | 'dpop' | 'config'>,
): void {
  const deps: UserinfoDeps = {
    verifier: services.ring.anyAudience,
    storage: services.storage,
    clock: services.clock,
    dpop: services.dpop,
  };
  const url = `${services.config.issuer}${ROUTE.userinfo.path}`;
  const handler = async (request: FastifyRequest) => {
    const body = request.method === 'POST' ? (request.body as FormParams | undefined) : undefined;
    const claims = await presentedClaims(
      deps,
      {
        authorization: request.headers.authorization,
        body,
        proofs: dpopHeaderValues(request.headers.dpop),
        method: request.method,
        url,
      },
      deps.clock(),
    );
    const subject = parseSubject(claims.sub);
    if (subject?.kind !== 'user') throw new InvalidToken('the token was not issued for a user');
    if (!hasScope(claims.scope, 'openid')) {
      throw new OAuthError('insufficient_scope', 'the openid scope is required', {
        status: 403,
        headers: { 'WWW-Authenticate': 'Bearer realm="cxauth", error="insufficient_scope", scope="openid"' },
      });
    }
    const live = await liveToken(deps.storage, claims, deps.clock());
    if (live?.kind !== 'user') throw new InvalidToken(ENDED);
    const { user } = live;
    const info: Record<string, unknown> = {
      sub: claims.sub,
      tenantId: user.tenantId,
      name: user.email,
      given_name: user.givenName ?? '',
      family_name: user.familyName ?? '',
    };
    if (hasScope(claims.scope, 'email')) {
      info['email'] = user.email;
      // OIDC Core §5.1.
      info['email_verified'] = user.emailVerified === true;
    }
    return info;
  };
  const send = async (request: FastifyRequest, reply: FastifyReply) =>
    sendJson(noStore(reply), JSON.stringify(await handler(request)));
  app.get(ROUTE.userinfo.path, send);
  app.post(ROUTE.userinfo.path, send);
}
