// `cxauth logout`: ends the session `cxauth login` opened (its refresh token revoked at the revocation
// endpoint, RFC 7009, which ends every token of the session) and deletes the saved tokens from the
// profile. The profile's other credentials stay.

import { signOut } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { reportingClientErrors } from '../client/failure.js';
import { loginProfile, writeProfile } from '../client/profiles.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth logout [--profile NAME] [--json]

Ends the session of \`cxauth login\` (its refresh token is revoked) and deletes the saved tokens from
the profile (default "default").`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const { name, saved: profile } = loginProfile(io.env, values.profile);
  if (!profile?.refresh_token && !profile?.access_token) {
    print(io, { signed_out: true, note: 'no saved sign-in' }, values.json);
    return EXIT.ok;
  }
  return reportingClientErrors('logout', io, values.json, async () => {
    const { issuer, login_client_id: clientId, refresh_token: token } = profile;
    if (issuer && clientId && token) await signOut({ issuer, clientId, token });
    const { access_token, refresh_token, id_token, access_token_expires_at, login_client_id, ...rest } =
      profile;
    writeProfile(io.env, name, rest);
    print(io, { signed_out: true }, values.json);
    return EXIT.ok;
  });
}
