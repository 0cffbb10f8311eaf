// HTTP over a raw TCP socket, for what fetch cannot send: repeated headers, requests that stall in their
// headers or body, truncated bodies.
import net from 'node:net';

export interface RawAnswer {
  /** Status of the first response, or 0 when the socket closed without one. */
  readonly status: number;
  /** Its headers, names lowered (a repeated name keeps the last value). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Milliseconds from connecting to the socket's close. */
  readonly ms: number;
  /** The socket's error code, if it had one (e.g. ECONNRESET). */
  readonly error: string | undefined;
}

/**
 * Connects to 127.0.0.1:`port`, writes `text` (and half-closes when `end`), and resolves when the server
 * closes the socket or `limitMs` passes (then the socket is destroyed and `status` may be 0).
 */
export function rawExchange(
  port: number,
  text: string,
  options: { end?: boolean; limitMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let error: string | undefined;
    const limit = setTimeout(() => socket.destroy(), options.limitMs ?? 10_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code;
    });
    socket.on('close', () => {
      clearTimeout(limit);
      resolve({ ...parseResponse(data), ms: Date.now() - started, error });
    });
    socket.write(text);
    if (options.end) socket.end();
  });
}

/** The first HTTP/1.1 response in `data`. */
export function parseResponse(data: string): Pick<RawAnswer, 'status' | 'headers' | 'body'> {
  const split = data.indexOf('\r\n\r\n');
  if (!data.startsWith('HTTP/1.1 ') || split === -1) return { status: 0, headers: {}, body: '' };
  const [statusLine, ...lines] = data.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? Number.NaN);
  const rest = data.slice(split + 4);
  let body = Number.isNaN(length) ? rest : rest.slice(0, length);
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(rest);
  return { status: Number(statusLine?.split(' ')[1]), headers, body };
}

/** The payload of a chunked body (RFC 9112 §7.1), ASCII only. */
function unchunk(data: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    const size = Number.parseInt(data.slice(at, eol), 16);
    if (eol === -1 || !(size > 0)) return body;
    body += data.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** A request as text: `lines` are header lines ("Name: value"), `body` is sent as given. */
export function requestText(method: string, path: string, lines: readonly string[], body = ''): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n${body}`;
}
