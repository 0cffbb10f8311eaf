// Free TCP ports for tests whose issuer URL must name its port before the server starts.
import net from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it; we release it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
