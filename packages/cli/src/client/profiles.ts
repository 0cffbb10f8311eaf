// Named credential profiles in $XDG_CONFIG_HOME/cxauth/profiles/NAME.json (default ~/.config): read,
// and written with mode 0600 in a 0700 directory. The file format is demo-credentials.json's.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../io.js';

/** The credential fields of a profile or a demo-credentials.json file (its own key names). */
export interface CredentialsFile {
  issuer?: string;
  client_id?: string;
  client_secret?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Saved by `cxauth login`: the public app it signed in with and the user's tokens. */
  login_client_id?: string;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  /** ISO 8601: when the saved access token expires. */
  access_token_expires_at?: string;
  /** The demo's public app (demo-credentials.json), used by `cxauth login` without --client-id. */
  public_client_id?: string;
}

const PROFILE_KEYS = [
  'issuer',
  'client_id',
  'client_secret',
  'accessKeyId',
  'accessKeySecret',
  'login_client_id',
  'access_token',
  'refresh_token',
  'id_token',
  'access_token_expires_at',
  'public_client_id',
] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `$XDG_CONFIG_HOME/cxauth`, else `$HOME/.config/cxauth`, from the given environment. */
export function configDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'cxauth');
  const home = env['HOME'] || env['USERPROFILE'];
  if (!home)
    throw new CliError('cannot locate profiles: neither XDG_CONFIG_HOME nor HOME is set', EXIT.usage);
  return path.join(home, '.config', 'cxauth');
}

export function profilePath(env: NodeJS.ProcessEnv, name: string): string {
  if (!NAME.test(name)) {
    throw new CliError(`profile name "${name}" must be letters, digits, ".", "_" or "-"`, EXIT.usage);
  }
  return path.join(configDir(env), 'profiles', `${name}.json`);
}

/** Reads a credentials file; `undefined` when it does not exist and `optional` is set. */
export function readCredentialsFile(file: string, optional = false): CredentialsFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.usage);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON`, EXIT.usage);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`${file} is not a JSON object`, EXIT.usage);
  }
  const out: CredentialsFile = {};
  for (const key of PROFILE_KEYS) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  return out;
}

/**
 * The profile `cxauth login` saves its sign-in in and `cxauth logout` ends: `--profile`, else
 * CXAUTH_PROFILE, else "default"; with what it holds now (undefined while it does not exist).
 */
export function loginProfile(
  env: NodeJS.ProcessEnv,
  flag: string | undefined,
): { name: string; saved: CredentialsFile | undefined } {
  const name = flag ?? env['CXAUTH_PROFILE'] ?? 'default';
  return { name, saved: readCredentialsFile(profilePath(env, name), true) };
}

/** Writes a profile atomically, readable by its owner only (it holds secrets). Returns its path. */
export function writeProfile(env: NodeJS.ProcessEnv, name: string, creds: CredentialsFile): string {
  const file = profilePath(env, name);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  // The mode of writeFileSync is filtered by the umask; make sure it is exactly 0600.
  try {
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (err) {
    // Never leave a stray copy of the secrets behind.
    rmSync(tmp, { force: true });
    throw err;
  }
  return file;
}
