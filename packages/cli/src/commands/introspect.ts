// `cxauth introspect <token|->`: asks the issuer whether a token is active and what it carries
// (RFC 7662). Exit 0 when active, 1 when not, so scripts can test it.

import { introspect } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { appOptions, tokenArgument } from '../client/app-options.js';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP } from '../client/options.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth introspect <token|-> [credentials] [--json]

Asks the issuer whether a token is active (RFC 7662), with the application's credentials.
Prints the answer; exits 0 when active, 1 when not. \`-\` reads the token from stdin.

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: CLIENT_FLAGS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  return reportingClientErrors('introspect', io, values.json, async () => {
    const token = await tokenArgument(positionals, io, 'introspect');
    const answer = await introspect({ ...appOptions(values, io), token });
    print(io, answer, values.json);
    return answer.active ? EXIT.ok : EXIT.failed;
  });
}
