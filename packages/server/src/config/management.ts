// The management listener: metrics and probes on a port of their own, never on the public one.
import { ConfigError } from './env.js';

export interface ManagementConfig {
  /**
   * CXAUTH_MANAGEMENT_PORT: where `/metrics`, `/healthz` and `/readyz` are served, on CXAUTH_HOST
   * (unset: no management listener, and no metrics are kept). 0 picks a free port.
   */
  readonly managementPort: number | undefined;
}

/** Reads CXAUTH_MANAGEMENT_PORT; it must differ from CXAUTH_PORT (unless either is 0). */
export function managementConfig(env: NodeJS.ProcessEnv, port: number): ManagementConfig {
  const raw = env['CXAUTH_MANAGEMENT_PORT'];
  if (raw === undefined || raw === '') return Object.freeze({ managementPort: undefined });
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`CXAUTH_MANAGEMENT_PORT must be a port number from 0 to 65535; it is "${raw}".`);
  }
  if (value !== 0 && value === port) {
    throw new ConfigError(
      `CXAUTH_MANAGEMENT_PORT must differ from CXAUTH_PORT (${port}): metrics are never served on the public port.`,
    );
  }
  return Object.freeze({ managementPort: value });
}
