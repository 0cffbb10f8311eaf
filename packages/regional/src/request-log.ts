// The regional API's log: safe logger defaults (no headers, no query string, so never a token) and one
// line per request in place of Fastify's two — successful calls at debug, refusals at info, failures at warn.
import { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';

/** What `createRegionalServer` accepts as `logger`: off, on, Fastify logger options, or a logger. */
export type RegionalLoggerOption = boolean | object;

/** A logger that can say whether a level is written (pino's); others are asked to write every line. */
interface LevelAware {
  isLevelEnabled?: (level: string) => boolean;
}

type Level = 'debug' | 'info' | 'warn';

function isLoggerInstance(value: object): boolean {
  const candidate = value as Record<string, unknown>;
  return typeof candidate['info'] === 'function' && typeof candidate['child'] === 'function';
}

/** The path of a request URL, without its query string (which may hold anything a client sent). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Redaction and serializers added to logger options that do not name their own. */
const SAFE_DEFAULTS = {
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  serializers: {
    req: (req: { method: string; url: string }) => ({ method: req.method, path: pathOf(req.url) }),
    res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
  },
};

/**
 * Fastify options for `logger`: Fastify's own per-request lines are turned off (see
 * {@link addRequestLog}), and logger options get redaction and header-free serializers by default.
 */
export function regionalLoggerOptions(
  logger: RegionalLoggerOption | undefined,
): Partial<FastifyServerOptions> {
  const logController = new LogController({ disableRequestLogging: true });
  if (logger === undefined || logger === false) return { logger: false };
  if (logger === true) return { logger: { ...SAFE_DEFAULTS }, logController };
  if (isLoggerInstance(logger)) {
    return { loggerInstance: logger as FastifyServerOptions['loggerInstance'], logController };
  }
  return { logger: { ...SAFE_DEFAULTS, ...logger }, logController };
}

/** Why requests failed, kept for their one request line (failures are rare: a WeakMap is cheap enough). */
const failures = new WeakMap<object, string>();

/** Records why a request failed, for its request line (instead of a second line of its own). */
export function noteFailure(request: object, reason: string): void {
  failures.set(request, reason);
}

/** The level of a finished request: routine success, a refusal, or a failure worth a look. */
export function levelOf(status: number): Level {
  if (status < 400) return 'debug';
  return status < 500 ? 'info' : 'warn';
}

/**
 * Writes one line per finished request — `{area, method, path, status, ms}`, plus `reason` when
 * {@link noteFailure} gave one, message `request` — at {@link levelOf} its status. Nothing is built when that level is not written, so successful calls
 * cost a comparison at the default level (info). No header and no query string is ever logged.
 */
export function addRequestLog(app: FastifyInstance, area: string): void {
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = levelOf(status);
    const log = request.log;
    const enabled = (log as LevelAware).isLevelEnabled;
    if (enabled === undefined || enabled.call(log, level)) {
      const ms = Math.round(reply.elapsedTime);
      const line = { area, method: request.method, path: pathOf(request.url), status, ms };
      const reason = status >= 500 ? failures.get(request) : undefined;
      log[level](reason === undefined ? line : { ...line, reason }, 'request');
    }
    done();
  });
}
