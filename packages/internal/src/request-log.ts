// The one log line per request of cxauth's Fastify servers (in place of Fastify's two, which each server
// turns off): `{…fields, method, path, status, ms}`, never a header nor the query string (which may hold
// anything a client sent), so never a token.
import type { FastifyInstance } from 'fastify';

/** The levels a request line is written at. */
export type RequestLevel = 'debug' | 'info' | 'warn';

export interface RequestLogOptions {
  /** Fields that lead every line (the regional API's `area`). */
  readonly fields?: Readonly<Record<string, string>>;
  /** Adds the client's address (`request.ip`, as the server's trusted proxies name it) as `address`. */
  readonly address?: boolean;
  /** The level of a finished request (default {@link levelOf}). */
  readonly level?: (status: number, path: string) => RequestLevel;
}

/** A logger that can say whether a level is written (pino's); others are asked to write every line. */
interface LevelAware {
  isLevelEnabled?: (level: string) => boolean;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Why requests failed, kept for their one request line (failures are rare: a WeakMap is cheap enough). */
const failures = new WeakMap<object, string>();

/** Records why a request failed, for its request line (instead of a second line of its own). */
export function noteFailure(request: object, reason: string): void {
  failures.set(request, reason);
}

/** The default level of a finished request: routine success, a refusal, or a failure worth a look. */
export function levelOf(status: number): RequestLevel {
  if (status < 400) return 'debug';
  return status < 500 ? 'info' : 'warn';
}

/**
 * Writes one line per finished request, message `request`, at the level `options.level` gives its
 * status and path; a 5xx carries the `reason` {@link noteFailure} gave. Nothing is built when that level
 * is not written, so a routine request costs a comparison.
 */
export function registerRequestLog(app: FastifyInstance, options: RequestLogOptions = {}): void {
  const levelFor = options.level ?? levelOf;
  const { fields, address } = options;
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const path = pathOf(request.url);
    const level = levelFor(status, path);
    const log = request.log;
    const enabled = (log as LevelAware).isLevelEnabled;
    if (enabled === undefined || enabled.call(log, level)) {
      const line: Record<string, unknown> = {
        ...fields,
        method: request.method,
        path,
        status,
        ms: Math.round(reply.elapsedTime),
      };
      if (address) line['address'] = request.ip;
      const reason = status >= 500 ? failures.get(request) : undefined;
      if (reason !== undefined) line['reason'] = reason;
      log[level](line, 'request');
    }
    done();
  });
}
