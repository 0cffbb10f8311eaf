// `cxauth api <METHOD> <path>`: an API call to the tenant's api_endpoint with the bearer token
// (step 7); writes the response body (pretty JSON when JSON) like curl would.
import { readFileSync } from 'node:fs';
import { createClient, createDpopKey, isClientError } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { apiTokens } from '../client/api-tokens.js';
import { reportingClientErrors } from '../client/failure.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, resolveClientOptions } from '../client/options.js';
import { CliError, EXIT, type Io } from '../io.js';

const HELP = `usage: cxauth api <METHOD> <path> [--data JSON|@FILE|-] [--header "Name: value"]… [-i] [--dpop] [credentials]

Calls {api_endpoint}{path} (api_endpoint from tenant discovery, or --api-endpoint URL) with
Authorization: Bearer and Accept: application/json. Writes the response body to stdout;
-i/--include writes the status line first. A non-2xx answer exits 1 (its body still printed).
Example: cxauth api GET /inContactAPI/services/v25.0/server-time

The token: by default the access-key grant with the credentials below; --client-credentials the
application's own token (client_id and client_secret only); --profile NAME of a profile saved by
\`cxauth login\` the signed-in user's token (renewed with its refresh token), sent only to the APIs
of that profile's issuer. --dpop binds the access-key or application token to a key made for this
call (RFC 9449) and sends it as Authorization: DPoP with a proof.

${CLIENT_FLAGS_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...CLIENT_FLAGS,
      data: { type: 'string', short: 'd' },
      header: { type: 'string', short: 'H', multiple: true },
      include: { type: 'boolean', short: 'i', default: false },
      'api-endpoint': { type: 'string' },
      'client-credentials': { type: 'boolean' },
      dpop: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const [method, apiPath, ...rest] = positionals;
  if (!method || !apiPath || rest.length > 0)
    throw new CliError(`expected <METHOD> <path>\n\n${HELP}`, EXIT.usage);
  const json = values.data === undefined ? undefined : await readJson(values.data, io);
  const headers = Object.fromEntries((values.header ?? []).map(parseHeader));

  return reportingClientErrors('api', io, values.json, async () => {
    const endpoint = values['api-endpoint'];
    const dpop = values.dpop ? createDpopKey() : undefined;
    const other = apiTokens(values, io, dpop);
    const options = other ?? resolveClientOptions(values, io).options;
    const client = createClient({
      ...options,
      ...(endpoint ? { apiEndpoint: endpoint } : {}),
      ...(dpop ? { dpop } : {}),
    });
    try {
      const res = await client.request(method, apiPath, { headers, ...(json === undefined ? {} : { json }) });
      if (values.json) {
        // stdout holds one JSON document: a text body as a JSON string, no body as null.
        if (values.include) io.stderr(`HTTP ${res.status}`);
        io.stdout(JSON.stringify(res.data ?? null, null, 2));
        return EXIT.ok;
      }
      if (values.include) io.stdout(`HTTP ${res.status}`);
      if (res.data !== undefined) io.stdout(render(res.data));
      return EXIT.ok;
    } catch (err) {
      // Print what the API said (as curl does) before the error line.
      if (isClientError(err, 'api_error') && !values.json) {
        if (values.include) io.stdout(`HTTP ${err.status}`);
        if (err.body !== undefined) io.stdout(render(err.body));
      }
      throw err;
    }
  });
}

function render(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data, null, 2);
}

async function readJson(arg: string, io: Io): Promise<unknown> {
  let text = arg;
  if (arg === '-') text = await io.readStdin();
  else if (arg.startsWith('@')) {
    try {
      text = readFileSync(arg.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${arg.slice(1)}: ${(err as NodeJS.ErrnoException).code}`, EXIT.usage);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError('--data is not valid JSON', EXIT.usage);
  }
}

function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon === -1 ? '' : raw.slice(0, colon).trim();
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    // The value is not echoed: it may be a credential.
    throw new CliError(
      `--header must be "Name: value" (got a header named "${name.slice(0, 40)}")`,
      EXIT.usage,
    );
  }
  const value = raw.slice(colon + 1).trim();
  // RFC 9110 §5.5: no control characters in a field value (a newline would inject another header),
  // and nothing fetch cannot send as a byte.
  if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
    throw new CliError(
      `--header ${name} has a character not allowed in a header value (a control character or beyond U+00FF)`,
      EXIT.usage,
    );
  }
  return [name, value];
}
