// Draining a listening server (SIGTERM): stop accepting, let in-flight requests finish, answer requests
// that still come on kept-alive sockets with `Connection: close`, close idle sockets after a short grace,
// and close every socket at a deadline. Works on any Fastify instance: the global service and the
// regional APIs `cxauth serve` runs drain alike (docs/operations.md, "Shutdown (drain)").
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How long a kept-alive socket that is idle when the drain starts stays open. A client that sends its
 * next request in that time gets an answer with `Connection: close` instead of a reset; one that stays
 * quiet that long is not sending.
 */
export const DRAIN_IDLE_GRACE_MS = 1000;
/** How often idle sockets are closed after the grace (a response begun before the drain may end late). */
const IDLE_SWEEP_MS = 250;

/** What a drain did. */
export interface DrainResult {
  /** True when the deadline passed and the remaining sockets were closed without waiting for them. */
  readonly forced: boolean;
}

function closeAfterResponse(_request: IncomingMessage, response: ServerResponse): void {
  response.setHeader('Connection', 'close');
}

/**
 * Drains `app` within `timeoutMs`, then closes it (its onClose hooks run last). Resolves once every
 * socket is closed.
 * @example
 * process.once('SIGTERM', () => void drain(app, 10_000).then(() => storage.close()));
 * @see RFC 9112 §9.6 (tearing down a persistent connection with `Connection: close`)
 */
export async function drain(app: FastifyInstance, timeoutMs: number): Promise<DrainResult> {
  const server = app.server as Server;
  if (!server.listening) {
    await app.close();
    return { forced: false };
  }
  // Before Fastify's own listener, so the header is set before any route can answer.
  server.prependListener('request', closeAfterResponse);
  // net.Server's close, not http.Server's: since Node 19 the latter also closes idle sockets at once (a
  // reset for a client sending its next request on one) and stops the header and request timers, which
  // must keep refusing stalled clients during the drain.
  const closed = new Promise<void>((resolve) => {
    net.Server.prototype.close.call(server, () => resolve());
  });
  let forced = false;
  let sweep: NodeJS.Timeout | undefined;
  const grace = setTimeout(
    () => {
      server.closeIdleConnections();
      sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    },
    Math.min(DRAIN_IDLE_GRACE_MS, timeoutMs),
  );
  const deadline = setTimeout(() => {
    forced = true;
    server.closeAllConnections();
  }, timeoutMs);
  try {
    await closed;
  } finally {
    clearTimeout(grace);
    clearTimeout(deadline);
    clearInterval(sweep);
    server.off('request', closeAfterResponse);
  }
  await app.close();
  return { forced };
}
