// The one serializer of error responses: OAuthError → its RFC JSON and headers; a database fault →
// 503 temporarily_unavailable with Retry-After; framework 4xx errors → invalid_request; anything else →
// a bare server_error (details go only to the log).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../observability/url-path.js';
import { InvalidRequest, OAuthError } from '../protocol/errors.js';
import { unavailableIn } from '../storage/errors.js';

/** The `Allow` list of each known path, for 405 answers (http/routes.ts `allowedMethods`). */
export type RouteTable = ReadonlyMap<string, readonly string[]>;

/** The OAuth error code a reply answered with (a reply decorator; read by http/metrics.ts). */
export const OAUTH_ERROR = Symbol('cxauth.oauthError');

declare module 'fastify' {
  interface FastifyReply {
    [OAUTH_ERROR]: string | null;
  }
}

/** Writes `err` as `{error, error_description}` with its status and headers; never cached. */
export function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  reply[OAUTH_ERROR] = err.error;
  reply.code(err.status);
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  reply.header('Cache-Control', 'no-store');
  reply.header('Pragma', 'no-cache');
  // Also here: a URL the router cannot decode is refused before any hook has run.
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.type('application/json; charset=utf-8');
  return reply.send(JSON.stringify(err.toJSON()));
}

/** Fixed, safe descriptions for the framework's client errors (its messages are never echoed). */
function frameworkError(err: FastifyError): OAuthError | undefined {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return undefined;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', 'the request body is too large', { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new InvalidRequest('unsupported Content-Type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequest('the request body is not valid JSON');
    default:
      return new InvalidRequest('malformed request');
  }
}

/**
 * The answer to a request that needs the database while it is down, unreachable, slow or locked.
 * @see RFC 6749 §5.2 (temporarily_unavailable), RFC 9110 §15.6.4 (503) and §10.2.3 (Retry-After)
 */
export function databaseUnavailable(retryAfterSeconds: number): OAuthError {
  return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable; retry later', {
    status: 503,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

/** The error handler of the whole service. */
export function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof OAuthError) {
    if (err.status >= 500) request.log.error({ err }, 'request failed');
    return sendOAuthError(reply, err);
  }
  const unavailable = unavailableIn(err);
  if (unavailable) {
    // The cause (driver message, host) goes to the log only; the answer names no internals.
    request.log.warn({ err: unavailable.cause ?? unavailable }, unavailable.message);
    return sendOAuthError(reply, databaseUnavailable(unavailable.retryAfterSeconds));
  }
  const known = frameworkError(err);
  if (known) return sendOAuthError(reply, known);
  request.log.error({ err }, 'unexpected failure');
  return sendOAuthError(reply, new OAuthError('server_error', 'internal server error', { status: 500 }));
}

/**
 * Installs the error handler, and a not-found handler that answers 405 with `Allow` for a known path
 * asked with another method, 404 otherwise (both as JSON).
 * @see RFC 9110 §15.5.6 (405 needs Allow)
 */
export function installErrorHandling(app: FastifyInstance, routes: RouteTable): void {
  // Declared up front, so that every reply has the same shape whether it fails or not.
  app.decorateReply(OAUTH_ERROR, null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const allow = routes.get(pathOf(request.url));
    if (allow) {
      reply.header('Allow', allow.join(', '));
      // HEAD is implied by GET, so the description leaves it out.
      const use = allow.filter((method) => method !== 'HEAD').join(' or ');
      return sendOAuthError(reply, new OAuthError('method_not_allowed', `use ${use}`, { status: 405 }));
    }
    return sendOAuthError(reply, new OAuthError('not_found', 'no such endpoint', { status: 404 }));
  });
}
