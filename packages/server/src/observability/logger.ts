// The service's logger settings: where lines go, at which level, and what is never written.
import type { FastifyServerOptions } from 'fastify';
import type pino from 'pino';
import { pathOf } from './url-path.js';

/**
 * Where logs go: off, on (stdout at config.logLevel), `'stderr'` (written asynchronously, so a busy
 * service does not wait on a terminal or pipe per line), or a stream (tests read what was logged).
 */
export type LoggerOption = boolean | 'stderr' | { stream: NodeJS.WritableStream; level?: string };

/**
 * Logger settings: one line per request, and nothing secret. The request serializer keeps method and
 * path only (no query, no headers), and redaction covers anything that slips into a log object.
 */
export function loggerOptions(
  option: LoggerOption,
  level: string,
  stderr: () => pino.DestinationStream,
): FastifyServerOptions['logger'] {
  if (option === false) return false;
  const custom = typeof option === 'object' ? option : undefined;
  return {
    level: custom?.level ?? level,
    ...(custom ? { stream: custom.stream } : option === 'stderr' ? { stream: stderr() } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.body',
        'body',
        '*.client_secret',
        '*.password',
        '*.refresh_token',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        path: pathOf(req.url),
        remoteAddress: req.ip,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
