// A TCP proxy the test owns, between the service and PostgreSQL: it forwards, refuses (PostgreSQL
// down), holds sockets open and forwards nothing (a partition), or delays every chunk (slow). The
// shared PostgreSQL server itself is never stopped or reconfigured.
import net from 'node:net';

export type ProxyMode =
  | 'forward'
  | 'partition'
  | { delayMs: number }
  /** Forwards, but the first client chunk that `matches` is forwarded and then the connection is cut. */
  | { cutAfter: (chunk: Buffer) => boolean; onCut: () => void };

export class TcpProxy {
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  mode: ProxyMode = 'forward';
  port = 0;
  /**
   * Start-up parameters refused as PgBouncer refuses those it does not know (unless listed in its
   * `ignore_startup_parameters`): an ErrorResponse 08P01 "unsupported startup parameter", then close.
   */
  refuseStartupParameters: readonly string[] = [];

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (on the same port as before, after a `down()`); nothing to do when it is up. */
  async up(): Promise<void> {
    if (this.#server) return;
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
    // An upstream ended by a cut still delivers what it was sent.
    client.on('close', () => upstream.writableEnded || upstream.destroy());
    upstream.on('close', () => client.destroy());
    if (this.refuseStartupParameters.length === 0) this.#pipe(client, upstream, true);
    else {
      client.once('data', (startup) => {
        const refused = startupParameters(startup).find((name) =>
          this.refuseStartupParameters.includes(name),
        );
        if (refused === undefined) {
          upstream.write(startup);
          this.#pipe(client, upstream, true);
          return;
        }
        client.end(errorResponse('08P01', `unsupported startup parameter: ${refused}`));
        upstream.destroy();
      });
    }
    this.#pipe(upstream, client, false);
  }

  /** Forwards chunks according to the mode at the time each one arrives. */
  #pipe(from: net.Socket, to: net.Socket, toServer: boolean): void {
    from.on('data', (chunk) => {
      const mode = this.mode;
      if (mode === 'partition') return;
      if (mode === 'forward') to.write(chunk);
      else if ('cutAfter' in mode) {
        to.write(chunk);
        if (!toServer || !mode.cutAfter(chunk)) return;
        // The statement reaches PostgreSQL, which runs it to its end; its answer never comes back.
        this.mode = 'forward';
        to.end();
        from.destroy();
        mode.onCut();
      } else setTimeout(() => to.destroyed || to.write(chunk), mode.delayMs);
    });
  }

  async close(): Promise<void> {
    await this.down();
  }
}

/** The parameter names of a StartupMessage (PostgreSQL protocol 3.0: length, version, name/value pairs). */
function startupParameters(message: Buffer): string[] {
  const fields = message.subarray(8).toString('utf8').split('\0');
  const names: string[] = [];
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) names.push(fields[i] as string);
  return names;
}

/** A FATAL ErrorResponse message with `code` and `message`. */
function errorResponse(code: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
