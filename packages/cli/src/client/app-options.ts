// The credentials of an application alone (issuer, client_id, client_secret), for the commands that
// need no access key: token --client-credentials, revoke, introspect.
import type { MachineOptions } from '@cxauth/client';
import { CliError, EXIT, type Io } from '../io.js';
import { resolveClientOptions } from './options.js';

type Values = Parameters<typeof resolveClientOptions>[0];

/** Issuer and application credentials from the usual sources; a missing one is a usage error. */
export function appOptions(values: Values, io: Io): MachineOptions {
  const { options, looked } = resolveClientOptions(values, io, false);
  const missing = [
    options.clientId ? undefined : '--client-id',
    options.clientSecret ? undefined : '--client-secret',
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    throw new CliError(`missing ${missing.join(', ')}; looked in, in this order:\n${looked}`, EXIT.usage);
  }
  return {
    issuer: options.issuer,
    clientId: options.clientId as string,
    clientSecret: options.clientSecret as string,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}

/** The token argument: the positional, or stdin when it is `-`. */
export async function tokenArgument(positionals: string[], io: Io, command: string): Promise<string> {
  const [arg] = positionals;
  if (arg === undefined || positionals.length > 1) {
    throw new CliError(`usage: cxauth ${command} <token|-> [credentials] [--json]`, EXIT.usage);
  }
  const token = arg === '-' ? (await io.readStdin()).trim() : arg;
  if (token === '') throw new CliError('the token is empty', EXIT.usage);
  return token;
}
