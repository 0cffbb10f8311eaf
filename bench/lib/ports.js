// Free 127.0.0.1 ports for servers that must be told their port up front (cxauth serve).
import { createServer } from 'node:net';

/** Asks the kernel for an unused ephemeral port; a small race remains until the server binds it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
