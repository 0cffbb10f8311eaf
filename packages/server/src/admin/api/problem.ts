// Errors of the admin API as RFC 9457 problem details (`application/problem+json`): the writer of the
// error hierarchy's problems (protocol/errors.ts Problem, the admin service's AdminError among them),
// and the mapping of every other failure (an invalid bearer token, a schema violation, a framework
// error) to a problem with no internals in it.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type InvalidParam, OAuthError, Problem } from '../../protocol/errors.js';
import { unavailableIn } from '../../storage/errors.js';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export { type InvalidParam, Problem };

export const notFound = (detail = 'no such resource') => new Problem(404, 'Not Found', detail);
export const forbidden = (detail: string) => new Problem(403, 'Forbidden', detail);
export const badRequest = (detail: string, errors?: readonly InvalidParam[]) =>
  new Problem(400, 'Bad Request', detail, errors ? { errors } : {});

/** Writes `problem`; never cached. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
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

/** Any failure as a problem: known kinds keep their status, anything else is a bare 500. */
export function problemOf(err: unknown): Problem | undefined {
  // The admin service's AdminError is one: its input at fault is in `errors`, as a schema violation's.
  if (err instanceof Problem) return err;
  if (err instanceof OAuthError && err.status < 500) {
    const title = err.status === 401 ? 'Unauthorized' : err.status === 403 ? 'Forbidden' : 'Bad Request';
    return new Problem(err.status, title, err.description, { headers: err.headers });
  }
  const fe = err as FastifyError;
  if (Array.isArray(fe.validation)) {
    const where = fe.validationContext ?? 'body';
    const errors = fe.validation.map((v) => ({
      in: where,
      pointer: v.instancePath || '/',
      reason:
        v.keyword === 'additionalProperties'
          ? `unknown member "${String((v.params as { additionalProperty?: unknown }).additionalProperty)}"`
          : (v.message ?? 'is invalid'),
    }));
    return badRequest(`the ${where} does not match its schema`, errors);
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return new Problem(415, 'Unsupported Media Type', 'send application/json');
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return new Problem(413, 'Content Too Large', 'the body is too large');
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return badRequest('the body is not valid JSON');
    }
    return badRequest('malformed request');
  }
  return undefined;
}

/** The admin API's error handler: a problem for everything, internals only in the log. */
export function handleProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = problemOf(err);
  if (problem) return sendProblem(reply, problem);
  // The database down, slow or locked is no fault of the request: 503 and when to retry, as the
  // OAuth endpoints answer (http/errors.ts); the driver's message goes to the log only.
  const unavailable = unavailableIn(err);
  if (unavailable) {
    request.log.warn({ err: unavailable.cause ?? unavailable }, unavailable.message);
    const retryAfter = { 'Retry-After': String(unavailable.retryAfterSeconds) };
    return sendProblem(
      reply,
      new Problem(503, 'Service Unavailable', 'the service is temporarily unavailable; retry later', {
        headers: retryAfter,
      }),
    );
  }
  request.log.error({ err }, 'admin request failed');
  return sendProblem(reply, new Problem(500, 'Internal Server Error', 'the request could not be completed'));
}
