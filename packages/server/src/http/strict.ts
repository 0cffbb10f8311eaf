// Strict headers on every request of the service (the hooks of @cxauth/internal, shared with the
// regional API; server.ts registers them): one Authorization and one Content-Type, no content coding,
// `nosniff` on every answer, refused in the RFC 6749 error shape; a body too large is drained (bounded)
// after its 413 so the client reads it.
import { registerStrictHeaders as registerStrict } from '@cxauth/internal';
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../protocol/errors.js';

/**
 * Checks every request before its body is read: a repeated Authorization or Content-Type is 400
 * `invalid_request`, a content coding is 415 with `Accept-Encoding: identity`; and marks every answer
 * `X-Content-Type-Options: nosniff`.
 * @see RFC 9110 §8.4 and §15.5.16 (415 for a content coding), RFC 7694 §3 (Accept-Encoding in a response)
 */
export function registerStrictHeaders(app: FastifyInstance): void {
  registerStrict(app, (refusal, _reply, done) =>
    done(
      new OAuthError('invalid_request', refusal.description, {
        status: refusal.status,
        headers: { ...refusal.headers },
      }),
    ),
  );
}
