// `cxauth token`: the client password + access-key grant (step 4); prints a summary without any
// secret, or with --json the full token response; --save-profile keeps the credentials that worked.

import { clientCredentials, createClient, decodeJwt, resolveIssuer, type TokenSet } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { appOptions } from '../client/app-options.js';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, resolveClientOptions } from '../client/options.js';
import { profilePath, writeProfile } from '../client/profiles.js';
import { EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth token [credentials] [--scope S] [--client-credentials] [--save-profile NAME] [--json]

Requests a token with the access key (password grant, Basic client password).
--client-credentials requests the application's own token instead (no access key needed).
Prints a summary (no token, no secret); --json prints the whole token response.
--save-profile NAME writes the credentials that worked to the profile NAME (mode 0600).

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CLIENT_FLAGS,
      scope: { type: 'string' },
      'save-profile': { type: 'string' },
      'client-credentials': { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const name = values['save-profile'];
  // A bad profile name is a usage error before any request, not a failure after the token is printed.
  if (name) profilePath(io.env, name);
  if (values['client-credentials']) {
    return reportingClientErrors('token', io, values.json, async () => {
      const options = appOptions(values, io);
      const response = await clientCredentials({
        ...options,
        ...(values.scope ? { scope: values.scope } : {}),
      });
      const expiresAt = Date.now() + (response.expires_in ?? 0) * 1000;
      const token: TokenSet = {
        accessToken: response.access_token,
        refreshToken: undefined,
        expiresAt,
        response,
      };
      print(io, values.json ? response : summary(resolveIssuer(options.issuer), token), values.json);
      return EXIT.ok;
    });
  }
  return reportingClientErrors('token', io, values.json, async () => {
    const { options, file } = resolveClientOptions(values, io);
    const client = createClient({ ...options, ...(values.scope ? { scope: values.scope } : {}) });
    const token = await client.token();
    // Saved before printing: a failure to save then leaves stdout with one document, the error.
    const saved = name ? writeProfile(io.env, name, { ...file, issuer: client.issuer }) : undefined;
    print(io, values.json ? token.response : summary(client.issuer, token), values.json);
    if (saved) io.stderr(`saved profile ${name} to ${saved}`);
    return EXIT.ok;
  });
}

/** What a person wants to see: what was granted, for whom, until when — never the tokens themselves. */
function summary(issuer: string, token: TokenSet): Record<string, unknown> {
  const r = token.response;
  const claims = readableClaims(token.accessToken);
  return {
    issuer,
    token_type: r.token_type,
    ...(r.expires_in === undefined ? {} : { expires_in: r.expires_in }),
    // expires_in is the server's number: one beyond the range of Date is left out, not a crash.
    ...(Number.isFinite(new Date(token.expiresAt).getTime())
      ? { expires_at: new Date(token.expiresAt).toISOString() }
      : {}),
    ...(r.scope === undefined ? {} : { scope: r.scope }),
    ...claims,
    refresh_token: r.refresh_token ? 'received (not shown)' : 'none',
    id_token: r.id_token ? 'received (not shown)' : 'none',
    access_token: 'received (not shown; --json prints it)',
  };
}

function readableClaims(accessToken: string): Record<string, unknown> {
  try {
    const { payload } = decodeJwt(accessToken);
    const out: Record<string, unknown> = {};
    for (const claim of ['sub', 'tenantId', 'tenant', 'name', 'client_id']) {
      if (payload[claim] !== undefined) out[claim] = payload[claim];
    }
    return out;
  } catch {
    return {};
  }
}
