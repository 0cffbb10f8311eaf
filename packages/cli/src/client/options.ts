// The options every client command shares, and where credentials come from: flags (and
// --demo-credentials FILE), then CXAUTH_* / CXONE_* variables, then a profile, then the demo file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { type ClientOptions, optionsFromEnv, resolveIssuer } from '@cxauth/client';
import { CliError, EXIT, type Io } from '../io.js';
import { type CredentialsFile, profilePath, readCredentialsFile } from './profiles.js';

export const CLIENT_FLAGS = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
  profile: { type: 'string' },
  'demo-credentials': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const CLIENT_FLAGS_HELP = `credentials (first found wins, field by field):
  --issuer URL|cxone|cxone-gov|sov1-au|sov1-eu|sov1-uk
  --client-id ID --client-secret SECRET --access-key-id ID --access-key-secret SECRET
  --demo-credentials FILE   a demo-credentials.json (as written by \`cxauth serve --demo\`)
  then CXAUTH_ISSUER, CXAUTH_CLIENT_ID, CXAUTH_CLIENT_SECRET, CXAUTH_ACCESS_KEY_ID,
  CXAUTH_ACCESS_KEY_SECRET (or their CXONE_* spellings)
  then --profile NAME (or CXAUTH_PROFILE; else "default" if it exists) from
  $XDG_CONFIG_HOME/cxauth/profiles/ (default ~/.config/cxauth/profiles/)
  then, when nothing else gave any, $CXAUTH_DATA_DIR/demo-credentials.json (default ./data)
other: --timeout SECONDS (default 10)  --json  -h, --help`;

type Values = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

const str = (v: Values[string]): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Resolved client options, and which source gave each field (for messages; never the values). */
export interface Resolved {
  options: ClientOptions;
  file: CredentialsFile;
}

const FIELDS = [
  ['issuer', 'issuer', 'issuer'],
  ['clientId', 'client-id', 'client_id'],
  ['clientSecret', 'client-secret', 'client_secret'],
  ['accessKeyId', 'access-key-id', 'accessKeyId'],
  ['accessKeySecret', 'access-key-secret', 'accessKeySecret'],
] as const;

interface Source {
  values: CredentialsFile;
  /** Read from a file: its secrets belong to the issuer it names. */
  file: boolean;
}

/** Whether two issuer spellings (a hosted name or a URL) name the same issuer. */
function sameIssuer(a: string, b: string): boolean {
  const canonical = (v: string) => {
    try {
      return resolveIssuer(v).replace(/\/+$/, '');
    } catch {
      return v.trim();
    }
  };
  return canonical(a) === canonical(b);
}

/**
 * Merges the sources field by field. `needCredentials` false (discover) asks only for an issuer.
 *
 * @throws {CliError} usage (2) when a needed field is missing from every source
 */
export function resolveClientOptions(values: Values, io: Io, needCredentials = true): Resolved {
  const flags: CredentialsFile = {};
  for (const [, flag, key] of FIELDS) {
    const v = str(values[flag]);
    if (v !== undefined) flags[key] = v;
  }
  const demoFlag = str(values['demo-credentials']);
  const explicitDemo = demoFlag === undefined ? undefined : readCredentialsFile(demoFlag);
  const env = optionsFromEnv(io.env);
  const fromEnv: CredentialsFile = {};
  for (const [option, , key] of FIELDS) if (env[option]) fromEnv[key] = env[option];

  const profileName = str(values['profile']) ?? str(io.env['CXAUTH_PROFILE']);
  const profile = profileName
    ? readCredentialsFile(profilePath(io.env, profileName))
    : readCredentialsFile(profilePath(io.env, 'default'), true);

  // Files (a profile, a demo-credentials file) hold credentials for the issuer they name.
  const sources: Source[] = [
    { values: flags, file: false },
    { values: explicitDemo ?? {}, file: true },
    { values: fromEnv, file: false },
    { values: profile ?? {}, file: true },
  ];
  if (sources.every((s) => Object.keys(s.values).length === 0)) {
    const dataDir = io.env['CXAUTH_DATA_DIR'] || './data';
    const implicit = path.resolve(dataDir, 'demo-credentials.json');
    if (existsSync(implicit)) sources.push({ values: readCredentialsFile(implicit) ?? {}, file: true });
  }
  // Never send a file's secrets to another issuer than its own (e.g. `--issuer` beside a default profile).
  const issuer = sources.find((s) => s.values.issuer !== undefined)?.values.issuer;
  const usable = sources.filter(
    (s) =>
      !s.file || s.values.issuer === undefined || issuer === undefined || sameIssuer(s.values.issuer, issuer),
  );
  const file: CredentialsFile = {};
  for (const [, , key] of FIELDS) {
    const found = usable.find((s) => s.values[key] !== undefined)?.values[key];
    if (found !== undefined) file[key] = found;
  }

  const missing = FIELDS.filter(
    ([, , key], i) => (needCredentials || i === 0) && file[key] === undefined,
  ).map(([, flag]) => `--${flag}`);
  if (missing.length > 0) {
    throw new CliError(
      `missing ${missing.join(', ')} (give flags, CXAUTH_* variables, --profile NAME or --demo-credentials FILE)`,
      EXIT.usage,
    );
  }
  const timeout = str(values['timeout']);
  const seconds = timeout === undefined ? 10 : Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError(`--timeout must be a positive number of seconds, not "${timeout}"`, EXIT.usage);
  }
  return {
    file,
    options: {
      issuer: file.issuer!,
      ...(file.client_id ? { clientId: file.client_id } : {}),
      ...(file.client_secret ? { clientSecret: file.client_secret } : {}),
      ...(file.accessKeyId ? { accessKeyId: file.accessKeyId } : {}),
      ...(file.accessKeySecret ? { accessKeySecret: file.accessKeySecret } : {}),
      timeoutMs: seconds * 1000,
    },
  };
}
