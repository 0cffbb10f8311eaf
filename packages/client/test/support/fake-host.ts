// Test helper: an HTTP server on 127.0.0.1:0 that records every request byte for byte and answers
// from a handler — a local fake of an issuer (ours or the hosted one) and of an API host.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** Path and query exactly as sent on the request line. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: unknown;
  /** Never answer (to provoke timeouts). */
  hang?: boolean;
}

export interface FakeHost {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startFakeHost(handler: (req: Recorded) => Reply | Promise<Reply>): Promise<FakeHost> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rec: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const reply = await handler(rec);
      if (reply.hang) return;
      const text =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, {
        ...(typeof reply.body === 'object' ? { 'Content-Type': 'application/json' } : {}),
        ...reply.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JWT-shaped token with the given payload; the signature is junk (the client never checks it). */
export function fakeJwt(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...header })}.${part(payload)}.c2lnbmF0dXJl`;
}

/** A fetch that sends requests for `from` origins to `to` origins (the fake), leaving the rest alone. */
export function rewritingFetch(map: Record<string, string>): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const target = map[url.origin];
    return fetch(target ? `${target}${url.pathname}${url.search}` : url.href, init);
  };
}
