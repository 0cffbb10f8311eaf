// Turns SDK failures into what scripts test: a one-line message on stderr, `{"error":…}` on stdout
// with --json, and an exit code (1 refused, 2 usage, 3 unreachable).
import { type ClientErrorCode, isClientError } from '@cxauth/client';
import { EXIT, type Io } from '../io.js';

const EXIT_BY_CODE: Partial<Record<ClientErrorCode, number>> = {
  invalid_config: EXIT.usage,
  invalid_argument: EXIT.usage,
  network: EXIT.unreachable,
  timeout: EXIT.unreachable,
};

/**
 * Runs a command body; a ClientError becomes its exit code (anything else propagates to main's
 * handler). Messages of ClientError never hold secrets, so they are printed as they are.
 */
export async function reportingClientErrors(
  command: string,
  io: Io,
  json: boolean,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!isClientError(err)) throw err;
    if (json) io.stdout(JSON.stringify({ error: err.toJSON() }, null, 2));
    io.stderr(`cxauth ${command}: ${err.message} [${err.code}]`);
    return EXIT_BY_CODE[err.code] ?? EXIT.failed;
  }
}
