// `cxauth admin bootstrap --email E [--totp] [--tenant ID] [--json]`: the first platform operator,
// on the database itself (never through the admin API: there is no one to sign in as yet). The
// password comes from standard input, never argv; a second run is refused (exit 1).

import { type Admin, bootstrapOperator, type Storage } from '@cxauth/server';
import { parseArgs } from '../../args.js';
import { CliError, EXIT, type Io, print } from '../../io.js';
import { readPassword } from './password-input.js';

export const BOOTSTRAP_HELP = `usage: cxauth admin bootstrap --email E [--totp] [--tenant ID] [--tenant-name N] [--area A] [--json]

Creates the first platform operator (a tenant Administrator allowed the whole admin API and the
console) when the database has none; refused (exit 1) once an operator exists. The password is read
from standard input (typed without echo at a terminal), never from the command line.
  --email E         the operator's e-mail: their user name at the sign-in page
  --totp            also enrol TOTP and print its otpauth:// URI once
  --tenant ID       the operator's tenant (needed when the database has tenants already)
  --tenant-name N   the tenant made on a database without tenants (default operators)
  --area A          that tenant's area (default: the first area, na1 on a fresh database)`;

const OPTIONS = {
  email: { type: 'string' },
  totp: { type: 'boolean' },
  tenant: { type: 'string' },
  'tenant-name': { type: 'string' },
  area: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments; `help` when only the help was asked for. */
export function parseBootstrap(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, EXIT.usage);
  if (!values.help && !values.email)
    throw new CliError(`--email is required\n\n${BOOTSTRAP_HELP}`, EXIT.usage);
  return values;
}

/** Runs the bootstrap on an open database and prints what was made. */
export async function runBootstrap(
  values: ReturnType<typeof parseBootstrap>,
  storage: Storage,
  admin: Admin,
  issuer: string,
  io: Io,
  passwordMinLength?: number,
): Promise<void> {
  const password = await readPassword(io);
  const result = await bootstrapOperator(storage, admin, issuer, {
    email: values.email ?? '',
    password,
    ...(passwordMinLength === undefined ? {} : { passwordMinLength }),
    ...(values.totp ? { totp: true } : {}),
    ...(values.tenant ? { tenantId: values.tenant } : {}),
    ...(values['tenant-name'] ? { tenantName: values['tenant-name'] } : {}),
    ...(values.area ? { area: values.area } : {}),
  });
  const json = values.json === true;
  print(io, result, json);
  if (!json) {
    io.stdout(`\nSign in at ${result.console} as ${result.email} with the password you gave.`);
    if (result.otpauth_uri) {
      io.stdout('The otpauth:// URI above is shown only this once: add it to an authenticator app now.');
    }
  }
}
