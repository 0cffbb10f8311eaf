// Client options from environment variables: the CXAUTH_* names, and the CXONE_* names people
// already script with for the hosted service. Takes the environment as a record (no `process`).
import type { ClientOptions } from './client.js';

/** Each option and the variables it is read from, first found wins. */
export const ENV_NAMES = Object.freeze({
  issuer: ['CXAUTH_ISSUER', 'CXONE_ISSUER'],
  clientId: ['CXAUTH_CLIENT_ID', 'CXONE_CLIENT_ID'],
  clientSecret: ['CXAUTH_CLIENT_SECRET', 'CXONE_CLIENT_SECRET'],
  accessKeyId: ['CXAUTH_ACCESS_KEY_ID', 'CXONE_ACCESS_KEY_ID'],
  accessKeySecret: ['CXAUTH_ACCESS_KEY_SECRET', 'CXONE_ACCESS_KEY_SECRET'],
} as const);

export type EnvOptions = Partial<Pick<ClientOptions, keyof typeof ENV_NAMES>>;

/**
 * Reads `CXAUTH_ISSUER`, `CXAUTH_CLIENT_ID`, `CXAUTH_CLIENT_SECRET`, `CXAUTH_ACCESS_KEY_ID`,
 * `CXAUTH_ACCESS_KEY_SECRET`, each falling back to its `CXONE_*` alias. Empty values count as unset.
 *
 * @example createClient({ ...optionsFromEnv(process.env), issuer: 'cxone' })
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): EnvOptions {
  const options: EnvOptions = {};
  for (const [option, names] of Object.entries(ENV_NAMES) as Array<[keyof EnvOptions, readonly string[]]>) {
    const value = names.map((name) => env[name]).find((v) => v !== undefined && v !== '');
    if (value !== undefined) options[option] = value;
  }
  return options;
}
