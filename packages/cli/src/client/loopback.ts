// The loopback redirect of a native app's code flow (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 on
// a port the system picks, waiting for the one callback of the sign-in, answering the browser with a
// small page, then closing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

export interface Loopback {
  /** `http://127.0.0.1:PORT/callback`, the redirect URI to send. */
  readonly redirectUri: string;
  /** The full callback URL once the browser came back; rejects after `timeoutMs`. */
  readonly callback: Promise<string>;
  close(): void;
}

/**
 * Listens on 127.0.0.1 (never another interface: the code must not be reachable from elsewhere) on an
 * ephemeral port, for the first request to /callback that carries `state` or `error`.
 * @see RFC 8252 §7.3 and §8.3
 */
export async function listenLoopback(timeoutMs: number): Promise<Loopback> {
  let done: (url: string) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const callback = new Promise<string>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (req.method !== 'GET' || url.pathname !== '/callback' || !url.searchParams.has('state')) {
      res.writeHead(404, headers).end(PAGE('Not found', 'This address only receives the sign-in.'));
      return;
    }
    const failed = url.searchParams.has('error');
    res
      .writeHead(200, { ...headers, connection: 'close' })
      .end(
        failed
          ? PAGE('Sign-in failed', 'Return to the terminal to see why.')
          : PAGE('Signed in', 'You can close this window and return to the terminal.'),
      );
    done(`${redirectUri}${url.search}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const timer = setTimeout(() => fail(new Error('timed out')), timeoutMs);
  timer.unref();
  return {
    redirectUri,
    callback,
    close() {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}
