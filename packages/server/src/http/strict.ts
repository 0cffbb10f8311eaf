// Strict HTTP for every request of the service: the timeouts Node enforces for slow clients, one
// Authorization and one Content-Type header, no content coding, `nosniff` on every answer, and Node's own
// HTTP-level refusals (timeouts, oversized headers, malformed or truncated requests) in our error shape.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import type { HttpTimeouts } from '../config/http.js';
import { InvalidRequest, OAuthError } from '../protocol/errors.js';

/**
 * Fastify's and Node's settings for `timeouts`. Node checks its header and request timers every
 * `connectionsCheckingInterval` (30 s by default), so that interval is made a fraction of the timeout for
 * the 408 to come on time. Fastify's `connectionTimeout` (socket inactivity) stays off: it would cut a
 * request whose handler waits, without an answer.
 * @see RFC 9110 §15.5.9
 */
export function timeoutOptions(timeouts: HttpTimeouts): FastifyHttpOptions<Server> {
  return {
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
    // Fastify sets these on the server after creating it (its default requestTimeout is 0: none).
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
  };
}

/** True for `name` spelled as `lower` in any case, with no allocation. */
function isName(name: string, lower: string): boolean {
  if (name === lower) return true;
  for (let i = 0; i < lower.length; i++) {
    // Header names are tokens: OR-ing 0x20 lowers a letter and leaves "-" as it is.
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The header that appears more than once among those a request may carry only once, from Node's
 * `rawHeaders` (its `headers` keep only the first Authorization and the first Content-Type).
 * @see RFC 9110 §5.3 (a field that is not a list must not be repeated), RFC 6750 §3.1
 */
export function repeatedHeader(rawHeaders: readonly string[]): 'Authorization' | 'Content-Type' | undefined {
  let authorization = 0;
  let contentType = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 13) {
      if (isName(name, 'authorization') && ++authorization > 1) return 'Authorization';
    } else if (name.length === 12) {
      if (isName(name, 'content-type') && ++contentType > 1) return 'Content-Type';
    }
  }
  return undefined;
}

/** True when a Content-Encoding value names no coding but identity. */
function isIdentity(coding: string): boolean {
  const value = coding.trim();
  return value === '' || isName(value, 'identity');
}

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
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && !isIdentity(coding)) {
      return done(
        new OAuthError('invalid_request', 'send the body without a Content-Encoding', {
          status: 415,
          headers: { 'Accept-Encoding': 'identity' },
        }),
      );
    }
    done();
  });
}

/** A whole HTTP/1.1 response with our JSON error body, written on the socket when Fastify cannot. */
function rawResponse(status: number, reason: string, description: string): string {
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n` +
    `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`
  );
}

// Built once: a refusal costs no serialization.
const CLIENT_ERRORS: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: rawResponse(408, 'Request Timeout', 'the request did not arrive in time'),
  HPE_HEADER_OVERFLOW: rawResponse(
    431,
    'Request Header Fields Too Large',
    'the request headers are too large',
  ),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: rawResponse(413, 'Content Too Large', 'the chunk extensions are too large'),
  HPE_INVALID_EOF_STATE: rawResponse(400, 'Bad Request', 'the request ended before its body was complete'),
};
const MALFORMED = rawResponse(400, 'Bad Request', 'malformed request');

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser and timers refuse a request before Fastify sees it
 * (a header or request timeout, headers over the size limit, a malformed or truncated request). Answers
 * as JSON when no response has started on the socket, then closes it. A reset connection gets nothing.
 * @see RFC 9110 §15.5.9 (408), RFC 6585 §5 (431)
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Node's own default answer looks at the same field: the response of the request being refused.
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    socket.write((err.code && CLIENT_ERRORS[err.code]) || MALFORMED);
  }
  socket.destroy();
}
