// `cxauth admin --server URL | --profile NAME | --demo-credentials FILE`: the admin commands through
// the admin REST API (docs/admin.md, "Remote administration"). The verbs stay as they are: each gets an
// admin service whose one method call goes to its route in routes.ts.
import type { Admin } from '@cxauth/server';
import { CliError, EXIT, type Io } from '../../../io.js';
import { adminApi } from './http.js';
import { routeOf } from './routes.js';
import { type RemoteFlags, remoteTarget } from './tokens.js';

const FLAGS = {
  '--server': 'server',
  '--profile': 'profile',
  '--demo-credentials': 'demoCredentials',
} as const;

/** Takes the remote flags (`--server URL` or `--server=URL`, anywhere) out of `argv`. */
export function takeRemoteFlags(argv: string[]): { flags: RemoteFlags; rest: string[] } {
  const flags: RemoteFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg];
    const key = FLAGS[name as keyof typeof FLAGS];
    if (key === undefined) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new CliError(`${name} needs a value`, EXIT.usage);
    flags[key] = value;
  }
  return { flags, rest };
}

/**
 * The admin service for `kind verb` over the admin API, or undefined without remote flags. The verb
 * calls one method of it; whichever it is, the call's arguments go to the verb's route.
 *
 * @throws {CliError} usage (2) when the API has no route for the verb (it needs the database)
 */
export function remoteAdmin(flags: RemoteFlags, io: Io, kind: string, verb: string): Admin | undefined {
  const target = remoteTarget(flags, io);
  if (!target) return undefined;
  const route = routeOf(kind, verb);
  const api = adminApi(target.server, target.tokens);
  const call = (...args: never[]) => route(api, ...args);
  return new Proxy({}, { get: () => call }) as Admin;
}
