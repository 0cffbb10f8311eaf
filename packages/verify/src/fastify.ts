// Fastify plugin: an onRequest hook on the routes of the scope it is registered in.

import { isDpopScheme, REPEATED_AUTHORIZATION, repeatedAuthorization } from './bearer.js';
import { errorResponse } from './challenge.js';
import type { AccessTokenClaims } from './claims.js';
import { CLAIMS } from './context.js';
import { requestUrl } from './request-url.js';
import type { Verifier } from './verifier.js';

/** Options of {@link fastifyBearer}. */
export interface FastifyBearerOptions {
  verifier: Verifier;
  /** `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string;
  /**
   * The origin clients call this API at (`https://api.example.com`), against which a DPoP proof's
   * `htu` is checked. Default: the request's protocol and `Host` (Fastify's `trustProxy` applies).
   */
  origin?: string;
}

/** The parts of a Fastify request the hook uses (so this package needs no Fastify dependency). */
interface RequestLike {
  headers: { authorization?: string | string[] | undefined; dpop?: string | string[] | undefined };
  method: string;
  url: string;
  protocol: string;
  host: string;
  /** Node's request: its `rawHeaders` show a repeated Authorization that `headers` hides. */
  raw?: { rawHeaders?: readonly string[] };
  accessToken?: AccessTokenClaims | null;
  [CLAIMS]?: AccessTokenClaims | null;
}

interface ReplyLike {
  code(status: number): ReplyLike;
  headers(values: Record<string, string>): ReplyLike;
  send(payload: unknown): ReplyLike;
}

interface FastifyLike {
  hasRequestDecorator(name: string | symbol): boolean;
  decorateRequest(name: string | symbol, value: null): unknown;
  addHook(
    name: 'onRequest',
    hook: (request: RequestLike, reply: ReplyLike, done: (err?: Error) => void) => void,
  ): unknown;
}

type Plugin = (fastify: FastifyLike, options: FastifyBearerOptions) => Promise<void>;

/**
 * Requires a valid access token on every route of the scope it is registered in, as `Bearer` or as
 * `DPoP` with its proof (a token bound to a key only as DPoP, RFC 9449 §7) (it does not
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
    // Decorated, so that setting them does not change the shape of each request object.
    if (!fastify.hasRequestDecorator(CLAIMS)) fastify.decorateRequest(CLAIMS, null);
    const accept = (request: RequestLike, claims: AccessTokenClaims) => {
      request.accessToken = claims;
      request[CLAIMS] = claims;
    };
    const refuse = (reply: ReplyLike, err: unknown, dpop = false) => {
      // Answered here: Fastify skips the route when a hook sends and does not call done().
      const response = errorResponse(err, realm, dpop ? 'DPoP' : 'Bearer');
      const nonce = dpop ? verifier.dpopNonce() : undefined;
      if (nonce !== undefined) response.headers['dpop-nonce'] ??= nonce;
      reply.code(response.status).headers(response.headers).send(response.body);
    };
    // A callback hook: a token verified before is accepted synchronously, with no promise per request.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (repeatedAuthorization(request.raw?.rawHeaders)) return refuse(reply, REPEATED_AUTHORIZATION);
      const header = request.headers.authorization;
      if (isDpopScheme(header)) {
        const url = requestUrl(options.origin ?? `${request.protocol}://${request.host}`, request.url);
        verifier
          .verifyRequest({ authorization: header, dpop: request.headers.dpop, method: request.method, url })
          .then(
            (claims) => {
              accept(request, claims);
              // RFC 9449 §9: each answer names the current nonce, so clients move to a new one in time.
              const nonce = verifier.dpopNonce();
              if (nonce !== undefined) reply.headers({ 'dpop-nonce': nonce });
              done();
            },
            (err: unknown) => refuse(reply, err, true),
          );
        return;
      }
      const hit = verifier.cachedAuthorization(header);
      if (hit) {
        accept(request, hit);
        return done();
      }
      verifier.verifyAuthorization(header).then(
        (claims) => {
          accept(request, claims);
          done();
        },
        (err: unknown) => refuse(reply, err),
      );
    });
  },
  {
    // What fastify-plugin sets: register into the caller's scope instead of a child context.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@cxauth/verify',
  },
);
