// Strict headers on every request of the service: one Authorization and one Content-Type, no content
// coding, `nosniff` on every answer, refused in the RFC 6749 error shape; a body too large is drained
// (bounded) after its 413 so the client reads it. The checks, the client
// timeouts and Node's own HTTP-level refusals are @cxauth/verify's strict HTTP, shared with the
// regional API (server.ts registers them).
import { drainRefusedBody, isIdentityCoding, repeatedHeader } from '@cxauth/verify';
import type { FastifyInstance } from 'fastify';
import { InvalidRequest, OAuthError } from '../protocol/errors.js';

/**
 * Checks every request before its body is read: a repeated Authorization or Content-Type is 400
 * `invalid_request`, a content coding is 415 with `Accept-Encoding: identity`; and marks every answer
 * `X-Content-Type-Options: nosniff`.
 * @see RFC 9110 §8.4 and §15.5.16 (415 for a content coding), RFC 7694 §3 (Accept-Encoding in a response)
 */
export function registerStrictHeaders(app: FastifyInstance): void {
  // A callback hook: one header write and one pass over the raw headers, no promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    const repeated = repeatedHeader(request.raw.rawHeaders);
    if (repeated !== undefined) return done(new InvalidRequest(`send exactly one ${repeated} header`));
    if (!isIdentityCoding(request.headers['content-encoding'])) {
      return done(
        new OAuthError('invalid_request', 'send the body without a Content-Encoding', {
          status: 415,
          headers: { 'Accept-Encoding': 'identity' },
        }),
      );
    }
    done();
  });
  // The framework closes the connection after a 413 with the body unread, which resets it under a
  // client still writing (EPIPE instead of the answer): read and discard a bounded rest instead.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 413 && drainRefusedBody(request.raw)) reply.removeHeader('connection');
    done(null, payload);
  });
}
