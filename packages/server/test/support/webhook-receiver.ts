// A webhook receiver on a real socket of 127.0.0.1: it keeps each request (headers and raw body) and
// answers as told (a status, or never), and verifies what it got with the `standardwebhooks` library as
// a receiver would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';

export interface Received {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type Answer = number | 'hang';

export class Receiver {
  readonly received: Received[] = [];
  /** What the next requests get, in order; `fallback` after that. */
  readonly answers: Answer[] = [];
  fallback: Answer = 204;
  private readonly hanging = new Set<http.ServerResponse>();
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(path = '/hook'): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self?.take(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new Receiver(server, `http://127.0.0.1:${port}${path}`);
    return self;
  }

  private take(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    this.received.push({ headers, body });
    const answer = this.answers.shift() ?? this.fallback;
    if (answer === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    res.statusCode = answer;
    res.end();
  }

  /** The bodies of the requests whose signature `secret` verifies, parsed (throws on the first that fails). */
  verified(secret: string): { id: string; payload: Record<string, unknown> }[] {
    return this.received.map((r) => ({ id: r.headers['webhook-id'] as string, payload: verify(secret, r) }));
  }

  /** The event ids received at least once. */
  eventIds(): Set<string> {
    return new Set(this.received.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Verifies one request as a receiver does (`new Webhook(secret).verify`), at the time the request was
 * signed: the library checks the timestamp against its own clock, and the tests move the service's.
 */
export function verify(secret: string, r: Received): Record<string, unknown> {
  const signedAt = Number(r.headers['webhook-timestamp']) * 1000;
  vi.useFakeTimers({ toFake: ['Date'], now: signedAt });
  try {
    return new Webhook(secret).verify(r.body, r.headers) as Record<string, unknown>;
  } finally {
    vi.useRealTimers();
  }
}
