// The regional API's logger: safe defaults (no headers, no query string, so never a token), and Fastify's
// two lines per request turned off for the one of @cxauth/internal's request log.
import { pathOf } from '@cxauth/internal';
import { type FastifyServerOptions, LogController } from 'fastify';

/** What `createRegionalServer` accepts as `logger`: off, on, Fastify logger options, or a logger. */
export type RegionalLoggerOption = boolean | object;

function isLoggerInstance(value: object): boolean {
  const candidate = value as Record<string, unknown>;
  return typeof candidate['info'] === 'function' && typeof candidate['child'] === 'function';
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
 * Fastify options for `logger`: Fastify's own per-request lines are turned off (server.ts registers the
 * one request line of `@cxauth/internal`), and logger options get redaction and header-free serializers
 * by default.
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
