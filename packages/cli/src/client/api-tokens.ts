// Where `cxauth api` gets its bearer token besides the access-key grant: the application's own
// (`--client-credentials`, RFC 6749 §4.4) or the signed-in user's token that `cxauth login` saved in a
// profile (`--profile NAME`), renewed with its refresh token when expired or refused. A profile's token
// is only ever sent to the APIs of the issuer it names.
import { clientCredentials, type DpopKey, resolveIssuer, type TokenResponse } from '@cxauth/client';
import { profileTokens } from '../commands/admin/remote/tokens.js';
import { CliError, EXIT, type Io } from '../io.js';
import { appOptions } from './app-options.js';
import type { resolveClientOptions } from './options.js';
import { profilePath, readCredentialsFile } from './profiles.js';

type Values = Parameters<typeof resolveClientOptions>[0];

/** A token source for the SDK client and the issuer it belongs to. */
export interface ApiTokens {
  readonly issuer: string;
  readonly tokenSource: () => Promise<TokenResponse>;
  readonly timeoutMs?: number;
}

const str = (v: Values[string]): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The signed-in user's saved token of profile `name`, when it holds one (else undefined). */
function signedIn(values: Values, io: Io): ApiTokens | undefined {
  const name = str(values['profile']) ?? str(io.env['CXAUTH_PROFILE']);
  if (name === undefined) return undefined;
  const profile = readCredentialsFile(profilePath(io.env, name));
  // A profile of application credentials and an access key (token --save-profile) makes a grant.
  if (!profile?.access_token || !profile.issuer) return undefined;
  if (str(values['access-key-id']) || str(values['access-key-secret'])) return undefined;
  const asked = str(values['issuer']);
  if (asked && resolveIssuer(asked) !== resolveIssuer(profile.issuer)) {
    throw new CliError(`profile ${name} holds a sign-in at ${profile.issuer}, not ${asked}`, EXIT.usage);
  }
  const tokens = profileTokens(io, name, profile);
  let first = true;
  return {
    issuer: profile.issuer,
    async tokenSource() {
      const token = first ? await tokens.token() : ((await tokens.renew?.()) ?? undefined);
      first = false;
      if (!token) {
        throw new CliError(
          `the sign-in saved in profile ${name} has no usable token: log in again (cxauth login --profile ${name})`,
        );
      }
      return { access_token: token, token_type: 'Bearer' };
    },
  };
}

/**
 * The token source `values` ask for, or undefined for the usual access-key grant. With `dpop`, the
 * application's own token is bound to that key (the API calls prove it).
 */
export function apiTokens(values: Values, io: Io, dpop?: DpopKey): ApiTokens | undefined {
  if (values['client-credentials'] === true) {
    const app = appOptions(values, io);
    return {
      issuer: app.issuer,
      tokenSource: () => clientCredentials({ ...app, ...(dpop ? { dpop } : {}) }),
      ...(app.timeoutMs === undefined ? {} : { timeoutMs: app.timeoutMs }),
    };
  }
  return signedIn(values, io);
}
