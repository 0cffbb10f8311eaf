// Strict HTTP for the regional API: timeouts for slow clients (408), one Authorization and one
// Content-Type header, no content coding (415), `nosniff` on every answer, and Node's own HTTP-level
// refusals in the API's JSON error shape, and a body too large drained (bounded) after its 413. The
// global service does the same (docs/operations.md).
import {
  timeoutOptions as clientTimeoutOptions,
  drainRefusedBody,
  isIdentityCoding,
  repeatedHeader,
} from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';

/** How long a client may take, in milliseconds (the defaults are those of `cxauth serve`). */
export interface RegionalTimeouts {
  /** From a request's first byte to the end of its headers; then 408. Default 10 000. */
  headersTimeoutMs?: number;
  /** From a request's first byte to the end of its body; then 408. Default 15 000. */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open. Default 72 000. */
  keepAliveTimeoutMs?: number;
}

/** Fastify's and Node's options for `timeouts` (defaults: those of `cxauth serve`). */
export function timeoutOptions(timeouts: RegionalTimeouts = {}) {
  const headersTimeoutMs = timeouts.headersTimeoutMs ?? 10_000;
  const requestTimeoutMs = timeouts.requestTimeoutMs ?? 15_000;
  if (!(headersTimeoutMs > 0 && requestTimeoutMs >= headersTimeoutMs)) {
    throw new TypeError('timeouts: headersTimeoutMs must be positive and at most requestTimeoutMs');
  }
  const keepAliveTimeoutMs = timeouts.keepAliveTimeoutMs ?? 72_000;
  return clientTimeoutOptions({ headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs });
}

/**
 * Refuses, before any route or token check, a repeated Authorization or Content-Type (400) and a content
 * coding (415); marks every answer `nosniff`.
 * @see RFC 9110 §5.3, §15.5.16; RFC 6750 §3.1; RFC 7694 §3
 */
export function registerStrictHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    const repeated = repeatedHeader(request.raw.rawHeaders);
    if (repeated !== undefined) {
      reply.code(400).header('cache-control', 'no-store');
      reply.send({ error: 'invalid_request', error_description: `Send exactly one ${repeated} header` });
      return;
    }
    if (!isIdentityCoding(request.headers['content-encoding'])) {
      reply.code(415).header('cache-control', 'no-store').header('accept-encoding', 'identity');
      reply.send({ error: 'invalid_request', error_description: 'Send the body without a Content-Encoding' });
      return;
    }
    done();
  });
  // A body over the limit is answered 413 before it is read: drain a bounded rest rather than reset the
  // connection under a client still writing (RFC 9112 §9.6).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 413 && drainRefusedBody(request.raw)) reply.removeHeader('connection');
    done(null, payload);
  });
}
