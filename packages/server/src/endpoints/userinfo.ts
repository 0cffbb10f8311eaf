// GET|POST /auth/userinfo: the profile of the user an access token was issued for.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noStore, sendJson } from '../http/headers.js';
import { bearerToken } from '../protocol/bearer.js';
import { InvalidToken, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { hasScope } from '../protocol/scope.js';
import type { Storage } from '../storage/contract/index.js';
import type { AccessTokenClaims } from '../tokens/verify-access-token.js';

export const USERINFO_PATH = '/auth/userinfo';

export interface UserinfoDeps {
  readonly verifier: { verify(token: string, now: number): AccessTokenClaims };
  readonly storage: Storage;
  readonly clock: () => Date;
}

/**
 * Registers userinfo. The user and tenant are read again so a deactivated user's or tenant's tokens stop
 * working here at once.
 * @see OpenID Connect Core 1.0 §5.3, RFC 6750 §3
 */
export function registerUserinfo(app: FastifyInstance, deps: UserinfoDeps): void {
  const handler = async (request: FastifyRequest) => {
    const body = request.method === 'POST' ? (request.body as FormParams | undefined) : undefined;
    const token = bearerToken(request.headers.authorization, body);
    const claims = deps.verifier.verify(token, Math.floor(deps.clock().getTime() / 1000));
    if (!hasScope(claims.scope, 'openid')) {
      throw new OAuthError('insufficient_scope', 'the openid scope is required', {
        status: 403,
        headers: { 'WWW-Authenticate': 'Bearer realm="cxauth", error="insufficient_scope", scope="openid"' },
      });
    }
    const userId = claims.sub.startsWith('user:') ? claims.sub.slice(5) : '';
    const user = userId === '' ? undefined : await deps.storage.users.get(userId);
    if (user?.status !== 'active') throw new InvalidToken('the user is no longer active');
    // As at the token endpoint, a deactivated tenant ends its users' access at once.
    const tenant = await deps.storage.tenants.get(user.tenantId);
    if (tenant?.status !== 'active') throw new InvalidToken('the user is no longer active');
    const info: Record<string, unknown> = {
      sub: claims.sub,
      tenantId: user.tenantId,
      name: user.email,
      given_name: user.givenName ?? '',
      family_name: user.familyName ?? '',
    };
    if (hasScope(claims.scope, 'email')) info['email'] = user.email;
    return info;
  };
  const send = async (request: FastifyRequest, reply: FastifyReply) =>
    sendJson(noStore(reply), JSON.stringify(await handler(request)));
  app.get(USERINFO_PATH, send);
  app.post(USERINFO_PATH, send);
}
