// Strict HTTP for the regional API: timeouts for slow clients (408), one Authorization and one
// Content-Type header, no content coding (415), `nosniff` on every answer, and Node's own HTTP-level
// refusals in the API's JSON error shape. The global service does the same (docs/operations.md).
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';

/** How long a client may take, in milliseconds (the defaults are those of `cxauth serve`). */
export interface RegionalTimeouts {
  /** From a request's first byte to the end of its headers; then 408. Default 10 000. */
  headersTimeoutMs?: number;
  /** From a request's first byte to the end of its body; then 408. Default 15 000. */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open. Default 72 000. */
  keepAliveTimeoutMs?: number;
}

/**
 * Fastify's and Node's settings for `timeouts`. Node checks its header and request timers every
 * `connectionsCheckingInterval` (30 s by default), so that interval is a fraction of the timeout.
 * @see RFC 9110 §15.5.9
 */
export function timeoutOptions(timeouts: RegionalTimeouts = {}): FastifyHttpOptions<Server> {
  const headersTimeout = timeouts.headersTimeoutMs ?? 10_000;
  const requestTimeout = timeouts.requestTimeoutMs ?? 15_000;
  if (!(headersTimeout > 0 && requestTimeout >= headersTimeout)) {
    throw new TypeError('timeouts: headersTimeoutMs must be positive and at most requestTimeoutMs');
  }
  return {
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs ?? 72_000,
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

/** The header repeated among those that may appear once (Node's `headers` keep only the first). */
function repeatedHeader(rawHeaders: readonly string[]): string | undefined {
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
    const coding = request.headers['content-encoding']?.trim();
    if (coding && !isName(coding, 'identity')) {
      reply.code(415).header('cache-control', 'no-store').header('accept-encoding', 'identity');
      reply.send({ error: 'invalid_request', error_description: 'Send the body without a Content-Encoding' });
      return;
    }
    done();
  });
}

function rawResponse(status: number, reason: string, description: string): string {
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n` +
    `x-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`
  );
}

const CLIENT_ERRORS: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: rawResponse(408, 'Request Timeout', 'The request did not arrive in time'),
  HPE_HEADER_OVERFLOW: rawResponse(
    431,
    'Request Header Fields Too Large',
    'The request headers are too large',
  ),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: rawResponse(413, 'Content Too Large', 'The chunk extensions are too large'),
  HPE_INVALID_EOF_STATE: rawResponse(400, 'Bad Request', 'The request ended before its body was complete'),
};
const MALFORMED = rawResponse(400, 'Bad Request', 'Malformed request');

/**
 * Fastify's `clientErrorHandler`: answers Node's own refusals as JSON when no response has started on
 * the socket, then closes it.
 * @see RFC 9110 §15.5.9 (408), RFC 6585 §5 (431)
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    socket.write((err.code && CLIENT_ERRORS[err.code]) || MALFORMED);
  }
  socket.destroy();
}
