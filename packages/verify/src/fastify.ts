// Fastify plugin: an onRequest hook on the routes of the scope it is registered in.

import { bearerErrorResponse } from './challenge.js';
import type { AccessTokenClaims } from './claims.js';
import { attachClaims } from './context.js';
import type { Verifier } from './verifier.js';

/** Options of {@link fastifyBearer}. */
export interface FastifyBearerOptions {
  verifier: Verifier;
  /** `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string;
}

/** The parts of a Fastify request the hook uses (so this package needs no Fastify dependency). */
interface RequestLike {
  headers: { authorization?: string | string[] | undefined };
  accessToken?: AccessTokenClaims | null;
}

interface ReplyLike {
  code(status: number): ReplyLike;
  headers(values: Record<string, string>): ReplyLike;
  send(payload: unknown): ReplyLike;
}

interface FastifyLike {
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: null): unknown;
  addHook(name: 'onRequest', hook: (request: RequestLike, reply: ReplyLike) => Promise<unknown>): unknown;
}

type Plugin = (fastify: FastifyLike, options: FastifyBearerOptions) => Promise<void>;

/**
 * Requires a valid bearer access token on every route of the scope it is registered in (it does not
 * create its own encapsulation context, like `fastify-plugin`). Claims are on `request.accessToken`
 * and `claimsOf(request)`; refusals are RFC 6750 responses.
 * @example
 * app.register(async (api) => {
 *   await api.register(fastifyBearer, { verifier });
 *   api.get('/me', async (request) => claimsOf(request));
 * });
 * @see RFC 6750 §3
 */
export const fastifyBearer: Plugin = Object.assign(
  async (fastify: FastifyLike, options: FastifyBearerOptions) => {
    const { verifier } = options;
    const realm = options.realm ?? 'api';
    if (!fastify.hasRequestDecorator('accessToken')) fastify.decorateRequest('accessToken', null);
    fastify.addHook('onRequest', async (request, reply) => {
      try {
        const claims = await verifier.verifyAuthorization(request.headers.authorization);
        request.accessToken = claims;
        attachClaims(request, claims);
      } catch (err) {
        const response = bearerErrorResponse(err, realm);
        return reply.code(response.status).headers(response.headers).send(response.body);
      }
      return undefined;
    });
  },
  {
    // What fastify-plugin sets: register into the caller's scope instead of a child context.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@cxauth/verify',
  },
);
