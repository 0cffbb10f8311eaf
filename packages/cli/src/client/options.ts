// The options every client command shares, and where credentials come from, in one order: flags, then
// --demo-credentials FILE, then CXAUTH_* / CXONE_* variables, then a profile, then the demo file of
// CXAUTH_DATA_DIR. A source only fills the fields the earlier ones left empty, so a profile never
// shadows what was given explicitly; a failure names every place looked at (never a value).
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

export const CLIENT_FLAGS_HELP = `credentials, looked for in this order (first found wins, field by field):
  1. --issuer URL|cxone|cxone-gov|sov1-au|sov1-eu|sov1-uk
     --client-id ID --client-secret SECRET --access-key-id ID --access-key-secret SECRET
  2. --demo-credentials FILE   a demo-credentials.json (as written by \`cxauth serve --demo\`)
  3. CXAUTH_ISSUER, CXAUTH_CLIENT_ID, CXAUTH_CLIENT_SECRET, CXAUTH_ACCESS_KEY_ID,
     CXAUTH_ACCESS_KEY_SECRET (or their CXONE_* spellings)
  4. --profile NAME (or CXAUTH_PROFILE; else "default" if it exists) from
     $XDG_CONFIG_HOME/cxauth/profiles/ (default ~/.config/cxauth/profiles/)
  5. $CXAUTH_DATA_DIR/demo-credentials.json (default ./data), if it exists and 1-3 gave nothing
  A file's secrets are used only with the issuer it names.
other: --timeout SECONDS (default 10)  --json  -h, --help`;

type Values = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

const str = (v: Values[string]): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Resolved client options, and which source gave each field (for messages; never the values). */
export interface Resolved {
  options: ClientOptions;
  file: CredentialsFile;
  /** Every place looked at and what it gave (field names only), for a later failure message. */
  looked: string;
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
  /** Where it was looked for, for the failure message (`--demo-credentials FILE`, `profile default (…)`). */
  label: string;
  /** Why it gave nothing, when it was not there at all. */
  absent?: string;
}

/** One line per place looked at: the field names it gave, or why none (never a value). */
function lookedAt(sources: readonly Source[], usable: readonly Source[]): string {
  return sources
    .map((s, i) => {
      const names = FIELDS.filter(([, , key]) => s.values[key] !== undefined).map(([, flag]) => flag);
      let what = s.absent ?? (names.length > 0 ? `gave ${names.join(', ')}` : 'gave nothing');
      if (!s.absent && names.length > 0 && !usable.includes(s)) {
        what = `ignored: for another issuer (${s.values.issuer})`;
      }
      return `  ${i + 1}. ${s.label}: ${what}`;
    })
    .join('\n');
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
  const profileFile = profilePath(io.env, profileName ?? 'default');
  const profile = profileName ? readCredentialsFile(profileFile) : readCredentialsFile(profileFile, true);
  const dataDir = io.env['CXAUTH_DATA_DIR'] || './data';
  const implicit = path.resolve(dataDir, 'demo-credentials.json');
  // Explicit credentials (flags, --demo-credentials, variables) are never completed from the demo file
  // (a partial set must fail, not borrow the rest); a profile does not count, so a profile saved by
  // `cxauth login` (a user's tokens, no application secret) does not hide the demo's application.
  const explicit = [flags, explicitDemo ?? {}, fromEnv].some((v) => Object.keys(v).length > 0);
  const demoFile = !explicit && existsSync(implicit) ? readCredentialsFile(implicit) : undefined;

  // Files (a profile, a demo-credentials file) hold credentials for the issuer they name.
  const sources: Source[] = [
    { values: flags, file: false, label: 'flags (--issuer, --client-id, …)' },
    {
      values: explicitDemo ?? {},
      file: true,
      label: '--demo-credentials FILE',
      ...(demoFlag === undefined ? { absent: 'not given' } : { label: `--demo-credentials ${demoFlag}` }),
    },
    { values: fromEnv, file: false, label: 'CXAUTH_* / CXONE_* variables' },
    {
      values: profile ?? {},
      file: true,
      label: `profile ${profileName ?? 'default'} (${profileFile})`,
      ...(profile === undefined ? { absent: 'not found' } : {}),
    },
    {
      values: demoFile ?? {},
      file: true,
      label: `demo file ${implicit}`,
      ...(explicit
        ? { absent: 'not used (credentials were given by 1-3)' }
        : demoFile === undefined
          ? { absent: 'not found' }
          : {}),
    },
  ];
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
      `missing ${missing.join(', ')}; looked in, in this order:\n${lookedAt(sources, usable)}`,
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
    looked: lookedAt(sources, usable),
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
