// `cxauth tenant`: gets a token, reads its tenantId locally, and prints the tenant's configuration
// with its api_endpoint (steps 4–6 of the reference flow).
import { parseArgs } from 'node:util';
import { createClient } from '@cxauth/client';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, resolveClientOptions } from '../client/options.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth tenant [credentials] [--json]

Prints GET {issuer}/.well-known/cxone-configuration?tenantId=… for the tenant of the access token.

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: CLIENT_FLAGS, strict: true });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  return reportingClientErrors('tenant', io, values.json, async () => {
    const { options } = resolveClientOptions(values, io);
    print(io, await createClient(options).tenant(), values.json);
    return EXIT.ok;
  });
}
