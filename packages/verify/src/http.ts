// Node `http` (and Connect/Express-style) middleware: refuse the request or let it through with claims.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDpopScheme, REPEATED_AUTHORIZATION, repeatedAuthorization } from './bearer.js';
import { errorResponse } from './challenge.js';
import { attachClaims } from './context.js';
import { requestUrl } from './request-url.js';
import type { Verifier } from './verifier.js';

/** Options of {@link httpBearer}. */
export interface HttpBearerOptions {
  /** `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string;
  /**
   * The origin clients call this API at (`https://api.example.com`), against which a DPoP proof's
   * `htu` is checked. Default: `https` on a TLS socket, else `http`, and the `Host` header.
   */
  origin?: string;
}

/** A `(req, res, next)` middleware. */
export type HttpMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Middleware that requires a valid access token, as `Bearer` or as `DPoP` with its proof: on success the claims are available through
 * `claimsOf(req)` and `next()` is called; otherwise it answers 401/400 with `WWW-Authenticate`.
 * @example
 * const bearer = httpBearer(verifier);
 * http.createServer((req, res) => bearer(req, res, () => res.end(claimsOf(req)?.tenantId)));
 * @see RFC 6750 §3
 */
export function httpBearer(verifier: Verifier, options: HttpBearerOptions = {}): HttpMiddleware {
  const realm = options.realm ?? 'api';
  const refuse = (res: ServerResponse, err: unknown, dpop = false) => {
    const response = errorResponse(err, realm, dpop ? 'DPoP' : 'Bearer');
    const nonce = dpop ? verifier.dpopNonce() : undefined;
    if (nonce !== undefined) response.headers['dpop-nonce'] ??= nonce;
    res.writeHead(response.status, { ...response.headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(response.body));
  };
  return (req, res, next) => {
    // Node keeps only the first of repeated Authorization headers: they are counted in rawHeaders.
    if (repeatedAuthorization(req.rawHeaders)) return refuse(res, REPEATED_AUTHORIZATION);
    if (isDpopScheme(req.headers.authorization)) {
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
      const origin = options.origin ?? `${secure ? 'https' : 'http'}://${req.headers.host ?? ''}`;
      verifier
        .verifyRequest({
          authorization: req.headers.authorization,
          dpop: req.headers.dpop,
          method: req.method ?? 'GET',
          url: requestUrl(origin, req.url ?? '/'),
        })
        .then(
          (claims) => {
            attachClaims(req, claims);
            // RFC 9449 §9: each answer names the current nonce, so clients move to a new one in time.
            const nonce = verifier.dpopNonce();
            if (nonce !== undefined) res.setHeader('dpop-nonce', nonce);
            next();
          },
          (err: unknown) => refuse(res, err, true),
        );
      return;
    }
    // A token verified before passes synchronously: no promise per request on the common path.
    const hit = verifier.cachedAuthorization(req.headers.authorization);
    if (hit) {
      attachClaims(req, hit);
      return next();
    }
    verifier.verifyAuthorization(req.headers.authorization).then(
      (claims) => {
        attachClaims(req, claims);
        next();
      },
      (err: unknown) => refuse(res, err),
    );
  };
}
