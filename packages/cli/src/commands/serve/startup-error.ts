// What `cxauth serve` says when it cannot start: one line a person can act on, never a stack trace.
import { ConfigError } from '@cxauth/server';
import { CliError, EXIT, unreachableDatabase } from '../../io.js';

/**
 * Start-up failures a person can fix, as one line saying what to change (no stack trace); anything
 * else is left to the dispatcher.
 */
export function startupError(err: unknown): CliError | undefined {
  if (err instanceof ConfigError) return new CliError(err.message, EXIT.usage);
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e.address !== undefined ? `${e.address}:${e.port}` : 'that address';
  switch (e?.code) {
    case 'EADDRINUSE':
      return new CliError(
        `${where} is already in use: stop what listens there or choose another port (CXAUTH_PORT, CXAUTH_API_PORT, --port)`,
      );
    case 'EACCES':
      return new CliError(`no permission to listen on ${where}: choose a port above 1023`);
    case 'EADDRNOTAVAIL':
      return new CliError(`${where} is not an address of this host (CXAUTH_HOST)`);
    default:
      return unreachableDatabase(err);
  }
}
