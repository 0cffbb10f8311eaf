// `cxauth tenant`: gets a token, reads its tenantId locally, and prints the tenant's configuration
// with its api_endpoint (steps 4–6 of the reference flow).

import { createClient, discoverTenant } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, resolveClientOptions } from '../client/options.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth tenant [credentials] [--json]
       cxauth tenant --tenant-id ID [--issuer URL|NAME] [--json]

Prints GET {issuer}/.well-known/cxone-configuration?tenantId=… for the tenant of the access token
(read locally from the token), or for --tenant-id ID (then only the issuer is needed).

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CLIENT_FLAGS, 'tenant-id': { type: 'string' } },
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  return reportingClientErrors('tenant', io, values.json, async () => {
    const tenantId = values['tenant-id'];
    const { options } = resolveClientOptions(values, io, tenantId === undefined);
    const config = tenantId
      ? await discoverTenant(options.issuer, tenantId, { timeoutMs: options.timeoutMs })
      : await createClient(options).tenant();
    print(io, config, values.json);
    return EXIT.ok;
  });
}
