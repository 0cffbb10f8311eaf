// `cxauth decode <jwt|->`: prints a JWT's header and payload, decoded locally. It never makes a
// network call — which is also why it cannot check the signature.

import { decodeJwt } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { CliError, EXIT, type Io, print } from '../io.js';

const HELP = `usage: cxauth decode <jwt|-> [--json]

Decodes a JWT's header and payload locally (- reads it from stdin). The token is never sent anywhere,
so the signature is NOT checked: verifying it needs the issuer's keys (JWKS) from the network.
Do not trust the claims of a token you did not just receive from your issuer over TLS.`;

export const UNVERIFIED_NOTE =
  "NOT CHECKED: decode works offline and never fetches the issuer's keys (JWKS), so anyone could have made this token; verify it with @cxauth/verify or let the API check it";

const TIME_CLAIMS = ['iat', 'exp', 'nbf', 'auth_time'];

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError(`expected one token\n\n${HELP}`, EXIT.usage);
  const raw = positionals[0] === '-' ? await io.readStdin() : positionals[0]!;
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  let decoded: ReturnType<typeof decodeJwt>;
  try {
    decoded = decodeJwt(token);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.failed);
  }
  if (values.json) {
    print(
      io,
      { header: decoded.header, payload: decoded.payload, signature_verified: false, note: UNVERIFIED_NOTE },
      true,
    );
    return EXIT.ok;
  }
  const payload: Record<string, unknown> = { ...decoded.payload };
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    // A date beyond what Date can hold (the token is anyone's) is shown as the bare number.
    const date = typeof value === 'number' ? new Date(value * 1000) : undefined;
    if (date && Number.isFinite(date.getTime())) payload[claim] = `${value} (${date.toISOString()})`;
  }
  print(io, { header: decoded.header, payload }, false);
  io.stdout(`signature: ${UNVERIFIED_NOTE}`);
  return EXIT.ok;
}
