// A TCP proxy the test owns, between the service and PostgreSQL: it forwards, refuses (PostgreSQL
// down), holds sockets open and forwards nothing (a partition), or delays every chunk (slow). The
// shared PostgreSQL server itself is never stopped or reconfigured.
import net from 'node:net';

export type ProxyMode = 'forward' | 'partition' | { delayMs: number };

export class TcpProxy {
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  mode: ProxyMode = 'forward';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (on the same port as before, after a `down()`). */
  async up(): Promise<void> {
    const server = net.createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** PostgreSQL down: connections are refused and the open ones cut. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.cutAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  cutAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** A PostgreSQL URL through the proxy for `url`'s database. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.host = `127.0.0.1:${this.port}`;
    return u.href;
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  #accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.#track(client);
    this.#track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  /** Forwards chunks according to the mode at the time each one arrives. */
  #pipe(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk) => {
      const mode = this.mode;
      if (mode === 'partition') return;
      if (mode === 'forward') to.write(chunk);
      else setTimeout(() => to.destroyed || to.write(chunk), mode.delayMs);
    });
  }

  async close(): Promise<void> {
    await this.down();
  }
}
