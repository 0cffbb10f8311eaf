// Strict HTTP that the global service and the regional API share: one Authorization and one
// Content-Type per request, no content coding, Node's timeouts for slow clients, Node's own HTTP-level
// refusals answered as JSON, and a refused body drained so its client reads the answer. Node only, no
// framework (each server registers its own hooks).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isHeaderName } from '@cxauth/verify/internal';

/** How long a client may take, in milliseconds. */
export interface ClientTimeouts {
  /** From a request's first byte to the end of its headers; then 408. */
  readonly headersTimeoutMs: number;
  /** From a request's first byte to the end of its body; then 408. */
  readonly requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
}

/** The defaults of `cxauth serve` (docs/operations.md), for a server given no timeouts of its own. */
export const CLIENT_TIMEOUT_DEFAULTS: ClientTimeouts = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  // Longer than the 60 s idle timeout of common load balancers, so they never reuse a socket we close.
  keepAliveTimeoutMs: 72_000,
});

/**
 * Fastify's and Node's server options for `timeouts` (each one left out takes its
 * {@link CLIENT_TIMEOUT_DEFAULTS} value). Node checks its header and request timers every
 * `connectionsCheckingInterval` (30 s by default), so that interval is made a fraction of the timeout for
 * the 408 to come on time. Fastify's `connectionTimeout` (socket inactivity) stays off: it would cut a
 * request whose handler waits, without an answer.
 * @see RFC 9110 §15.5.9
 */
export function timeoutOptions(timeouts: Partial<ClientTimeouts> = {}) {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = {
    ...CLIENT_TIMEOUT_DEFAULTS,
    ...timeouts,
  };
  if (!(headersTimeoutMs > 0 && requestTimeoutMs >= headersTimeoutMs)) {
    throw new TypeError('timeouts: headersTimeoutMs must be positive and at most requestTimeoutMs');
  }
  return {
    http: {
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },
    // Fastify sets these on the server after creating it (its default requestTimeout is 0: none).
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
  };
}

/**
 * The header that appears more than once among those a request may carry only once, from Node's
 * `rawHeaders` (its `headers` keep only the first Authorization and the first Content-Type).
 * @see RFC 9110 §5.3 (a field that is not a list must not be repeated), RFC 6750 §3.1
 */
export function repeatedHeader(
  rawHeaders: readonly string[] | undefined,
): 'Authorization' | 'Content-Type' | undefined {
  if (rawHeaders === undefined) return undefined;
  let authorization = 0;
  let contentType = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 13) {
      if (isHeaderName(name, 'authorization') && ++authorization > 1) return 'Authorization';
    } else if (name.length === 12) {
      if (isHeaderName(name, 'content-type') && ++contentType > 1) return 'Content-Type';
    }
  }
  return undefined;
}

/** True when a Content-Encoding value names no coding but identity. @see RFC 9110 §8.4 */
export function isIdentityCoding(coding: string | undefined): boolean {
  const value = coding?.trim();
  return value === undefined || value === '' || isHeaderName(value, 'identity');
}

/** A whole HTTP/1.1 response with a JSON error body, written on the socket when no framework can. */
function rawResponse(status: number, reason: string, description: string): string {
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n` +
    `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Sockets whose request was answered while its body is still being read and thrown away. */
const draining = new WeakSet<Socket>();

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
 * A `clientErrorHandler` (Fastify) or `clientError` listener (Node): Node's HTTP parser and timers refuse
 * a request before any route sees it (a header or request timeout, headers over the size limit, a
 * malformed or truncated request). Answers as JSON when no response has started on the socket, then
 * closes it. A reset connection gets nothing.
 * @see RFC 9110 §15.5.9 (408), RFC 6585 §5 (431)
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A refused body being drained was answered already (413): a second answer would follow it.
  if (draining.has(socket)) {
    socket.destroy();
    return;
  }
  // Node's own default answer looks at the same field: the response of the request being refused.
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    socket.write((err.code && CLIENT_ERRORS[err.code]) || MALFORMED);
  }
  socket.destroy();
}

/** How much of a refused body is read and thrown away after the answer, and for how long. */
export interface DrainBounds {
  /** Bytes; a body announcing more than this is not drained (the connection closes at once). */
  readonly maxBytes: number;
  /** Milliseconds after the answer; then the connection is closed whatever is left. */
  readonly maxMs: number;
}

/** 4 MiB within 5 s: a client sending a few MiB over the limit reads its 413. */
export const DRAIN_DEFAULTS: DrainBounds = Object.freeze({ maxBytes: 4 * 1024 * 1024, maxMs: 5_000 });

/**
 * Whether the rest of a refused request's body (413 before it was read) is to be read and thrown away
 * rather than the connection closed under it. Closing a socket with unread bytes makes the kernel
 * answer them with a reset, which a client still writing sees as EPIPE or ECONNRESET, often before it
 * has read the answer (RFC 9112 §9.6). When this returns true the caller answers without
 * `Connection: close`: the body is read and discarded (this resumes it), and this destroys the
 * connection if more than `maxBytes` arrive or the body has not ended within `maxMs`. False (answer
 * with `Connection: close`, as before) when the body is complete already, or announces more than
 * `maxBytes`, which would be cut anyway.
 * @see RFC 9112 §9.6 (tear-down), RFC 9110 §15.5.14 (413)
 */
export function drainRefusedBody(req: IncomingMessage, bounds: DrainBounds = DRAIN_DEFAULTS): boolean {
  const { socket } = req;
  if (req.complete || socket.destroyed) return false;
  const announced = Number(req.headers['content-length']);
  if (announced > bounds.maxBytes) return false;
  let received = 0;
  const stop = () => {
    draining.delete(socket);
    clearTimeout(timer);
    req.off('data', count);
    socket.off('close', stop);
    req.off('end', stop);
  };
  const cut = () => {
    stop();
    socket.destroy();
  };
  // Counted on the request (a data listener added to the socket now would take it from Node's parser
  // mid-body and stall it); resumed here, the request is never dumped, which would remove the listener.
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received > bounds.maxBytes) cut();
  };
  const timer = setTimeout(cut, bounds.maxMs);
  timer.unref();
  draining.add(socket);
  req.on('data', count);
  socket.once('close', stop);
  req.once('end', stop);
  // Flowing: each chunk is counted and thrown away.
  req.resume();
  return true;
}
