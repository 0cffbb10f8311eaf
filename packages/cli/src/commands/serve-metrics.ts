// The regional APIs' management listener for `cxauth serve` and `cxauth serve api`: one registry for
// every area of the process, on CXAUTH_API_MANAGEMENT_PORT (unset: no regional metrics).
import {
  createRegionalMetrics,
  type RegionalManagementServer,
  type RegionalMetrics,
  serveRegionalMetrics,
} from '@cxauth/regional';
import { CliError, EXIT, type Io } from '../io.js';

/** The regional APIs' metrics and their listener, when CXAUTH_API_MANAGEMENT_PORT is set. */
export async function regionalMetrics(
  io: Io,
): Promise<{ metrics: RegionalMetrics; server: RegionalManagementServer } | undefined> {
  const raw = io.env['CXAUTH_API_MANAGEMENT_PORT'];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`CXAUTH_API_MANAGEMENT_PORT must be a port number; it is "${raw}"`, EXIT.usage);
  }
  const metrics = createRegionalMetrics();
  const server = await serveRegionalMetrics(metrics, { host: io.env['CXAUTH_HOST'] || '127.0.0.1', port });
  return { metrics, server };
}
