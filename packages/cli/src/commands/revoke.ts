// `cxauth revoke <token|->`: revokes a refresh or access token of the application (RFC 7009), which
// ends its session, or the application's own token (client credentials) alone. Succeeds also when the
// server did not know the token.

import { revoke } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { appOptions, tokenArgument } from '../client/app-options.js';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP } from '../client/options.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth revoke <token|-> [credentials] [--hint access_token|refresh_token] [--json]

Revokes a refresh token or an access token of the application (RFC 7009): its session ends. The
application's own token (token --client-credentials) is revoked alone: introspection answers inactive
and the regional APIs refuse it within seconds (the revocation feed).
\`-\` reads the token from stdin (keeps it out of the shell history).

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...CLIENT_FLAGS, hint: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  return reportingClientErrors('revoke', io, values.json, async () => {
    const token = await tokenArgument(positionals, io, 'revoke');
    const hint = values.hint === 'access_token' || values.hint === 'refresh_token' ? values.hint : undefined;
    await revoke({ ...appOptions(values, io), token, ...(hint ? { tokenTypeHint: hint } : {}) });
    print(io, { revoked: true }, values.json);
    return EXIT.ok;
  });
}
