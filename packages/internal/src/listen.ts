// A plain node:http server listening on one address, as the cxauth services' management listeners
// (the global service's and the regional APIs' /metrics) run it. Node only, no framework.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening server. */
export interface PlainListener {
  /** `http://host:port`, the port chosen when 0 was asked for; an IPv6 host in brackets. */
  readonly url: string;
  /** Stops listening and closes the open connections (keep-alive ones included). */
  close(): Promise<void>;
}

/**
 * Starts `server` listening on `host:port`; rejects with the listen error (`EADDRINUSE`, `EACCES`, …).
 * @example
 * const listener = await listenPlain(http.createServer(handler), { host: '127.0.0.1', port: 0 });
 * @see https://nodejs.org/api/net.html#serverlisten
 */
export async function listenPlain(
  server: Server,
  options: { host: string; port: number },
): Promise<PlainListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
