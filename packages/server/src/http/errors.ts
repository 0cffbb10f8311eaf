// The one serializer of error responses. Any failure is first made one of the error hierarchy's
// (`knownError`): an OAuthError or a Problem as it is; a database fault, or a dependency that could not
// be loaded on demand, → 503 with Retry-After; a schema
// violation → 400 naming the members at fault; the framework's client errors → fixed descriptions;
// anything else → a bare 500, its details in the log only. Then it is written in the shape of the
// endpoint that failed: OAuth's `{error, error_description}` (RFC 6749 §5.2) or the admin API's RFC 9457
// problem details.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../domain/logger.js';
import { ModuleUnavailableError } from '../domain/on-demand.js';
import { pathOf } from '../observability/url-path.js';
import { type InvalidParam, OAuthError, type OAuthErrorCode, Problem } from '../protocol/errors.js';
import { unavailableIn } from '../storage/errors.js';

/** The `Allow` list of each known path, for 405 answers (http/routes.ts `allowedMethods`). */
export type RouteTable = ReadonlyMap<string, readonly string[]>;

/** The OAuth error code a reply answered with (a reply decorator; read by http/metrics.ts). */
export const OAUTH_ERROR = Symbol('cxauth.oauthError');

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

declare module 'fastify' {
  interface FastifyReply {
    [OAUTH_ERROR]: string | null;
  }
}

/**
 * The answer to a request that needs the database while it is down, unreachable, slow or locked, or a
 * part of the service that could not be loaded on demand (domain/on-demand.ts).
 * @see RFC 6749 §5.2 (temporarily_unavailable), RFC 9110 §15.6.4 (503) and §10.2.3 (Retry-After)
 */
export function serviceUnavailable(retryAfterSeconds: number): OAuthError {
  return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable; retry later', {
    status: 503,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

/** Fixed, safe descriptions for the framework's client errors (its messages are never echoed). */
function frameworkError(err: FastifyError): Problem | undefined {
  if (Array.isArray(err.validation)) {
    const where = err.validationContext ?? 'body';
    const errors: InvalidParam[] = err.validation.map((v) => ({
      in: where,
      pointer: v.instancePath || '/',
      reason:
        v.keyword === 'additionalProperties'
          ? `unknown member "${String((v.params as { additionalProperty?: unknown }).additionalProperty)}"`
          : (v.message ?? 'is invalid'),
    }));
    return new Problem(400, 'Bad Request', `the ${where} does not match its schema`, { errors });
  }
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return undefined;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem(413, 'Content Too Large', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem(415, 'Unsupported Media Type', 'unsupported Content-Type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new Problem(400, 'Bad Request', 'the request body is not valid JSON');
    default:
      return new Problem(400, 'Bad Request', 'malformed request');
  }
}

/** Any failure as one of the hierarchy's errors; what the client must not see goes to `log` only. */
export function knownError(err: unknown, log: Logger): OAuthError | Problem {
  if (err instanceof OAuthError || err instanceof Problem) {
    if (err.status >= 500) log.error({ err }, 'request failed');
    return err;
  }
  const unavailable = unavailableIn(err);
  if (unavailable) {
    // The cause (driver message, host) goes to the log only; the answer names no internals.
    log.warn({ err: unavailable.cause ?? unavailable }, unavailable.message);
    return serviceUnavailable(unavailable.retryAfterSeconds);
  }
  if (err instanceof ModuleUnavailableError) {
    // An error, not a warning: past a passing fault it means a broken install, for the operator to see.
    log.error({ err }, err.message);
    return serviceUnavailable(err.retryAfterSeconds);
  }
  const known = frameworkError(err as FastifyError);
  if (known) return known;
  log.error({ err }, 'unexpected failure');
  return new OAuthError('server_error', 'internal server error', { status: 500 });
}

/** The OAuth code of a problem's status, where a problem reaches an OAuth endpoint. */
function oauthCodeOf(status: number): OAuthErrorCode {
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  return status < 500 ? 'invalid_request' : 'server_error';
}

/** RFC 9110 §15's reason phrases, as problem titles (RFC 9457 §3.1.3). */
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Statuses an OAuth endpoint answers as they are; any other client error is 400 (RFC 6749 §5.2). */
const OAUTH_KEPT_STATUSES: ReadonlySet<number> = new Set([404, 405, 413, 429]);

function asOAuthError(err: OAuthError | Problem): OAuthError {
  if (err instanceof OAuthError) return err;
  const status = err.status >= 500 || OAUTH_KEPT_STATUSES.has(err.status) ? err.status : 400;
  return new OAuthError(oauthCodeOf(err.status), err.detail, { status, headers: err.extra.headers ?? {} });
}

function asProblem(err: OAuthError | Problem): Problem {
  if (err instanceof Problem) return err;
  const title = TITLES[err.status] ?? (err.status < 500 ? 'Bad Request' : 'Internal Server Error');
  return new Problem(err.status, title, err.description, { headers: err.headers });
}

/** Writes `err` as `{error, error_description}` with its status and headers; never cached. */
export function sendOAuthError(reply: FastifyReply, failure: OAuthError | Problem): FastifyReply {
  const err = asOAuthError(failure);
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

/** Writes `failure` as RFC 9457 problem details (`application/problem+json`); never cached. */
export function sendProblem(reply: FastifyReply, failure: OAuthError | Problem): FastifyReply {
  const problem = asProblem(failure);
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
  };
  if (problem.extra.errors) body['errors'] = problem.extra.errors;
  return reply
    .code(problem.status)
    .header('Cache-Control', 'no-store')
    .type(PROBLEM_MEDIA_TYPE)
    .send(JSON.stringify(body));
}

/** The error handler of the OAuth and OIDC endpoints. */
export function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendOAuthError(reply, knownError(err, request.log));
}

/** The error handler of the admin API: the same failures, as problem details. */
export function handleProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, knownError(err, request.log));
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
