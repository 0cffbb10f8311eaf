// `cxauth discover`: the issuer's OpenID configuration (step 3 of the reference flow).

import { createClient } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, resolveClientOptions } from '../client/options.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth discover [--issuer URL|NAME] [--json]

Prints GET {issuer}/.well-known/openid-configuration (needs only the issuer).

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: CLIENT_FLAGS, strict: true });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  return reportingClientErrors('discover', io, values.json, async () => {
    const { options } = resolveClientOptions(values, io, false);
    print(io, await createClient(options).discover(), values.json);
    return EXIT.ok;
  });
}
