// Where `cxauth admin --server` gets its bearer token (docs/admin.md, "Remote administration"), first
// found wins: --demo-credentials FILE (a password grant with its access key, scope `openid admin`),
// CXAUTH_ADMIN_TOKEN, then the profile `cxauth login` saved (its access token, renewed with the
// refresh token when it has expired). A profile's token is only ever sent to the issuer it names.
import { createClient, isClientError, refreshSignIn } from '@cxauth/client';
import {
  type CredentialsFile,
  profilePath,
  readCredentialsFile,
  writeProfile,
} from '../../../client/profiles.js';
import { CliError, EXIT, type Io } from '../../../io.js';
import type { TokenSource } from './http.js';

/** The flags that turn `cxauth admin` to the admin API. */
export interface RemoteFlags {
  server?: string;
  profile?: string;
  demoCredentials?: string;
}

/** An access token renewed this long before it expires, so it does not lapse in flight. */
const SKEW_MS = 30_000;

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

/** A ClientError of a grant as the CLI reports it: unreachable → 3, refused → 1. */
function grantFailure(err: unknown, what: string): CliError {
  if (!isClientError(err)) throw err;
  const code = err.code === 'network' || err.code === 'timeout' ? EXIT.unreachable : EXIT.failed;
  return new CliError(`${what}: ${err.message} [${err.code}]`, code);
}

/** A password grant with the demo file's app and access key, asking for the admin scope. */
function demoTokens(server: string, file: string): TokenSource {
  const d = readCredentialsFile(file) as CredentialsFile;
  if (!d.client_id || !d.client_secret || !d.accessKeyId || !d.accessKeySecret) {
    throw new CliError(`${file} lacks client_id, client_secret, accessKeyId or accessKeySecret`, EXIT.usage);
  }
  let token: Promise<string> | undefined;
  return {
    token() {
      token ??= createClient({
        issuer: server,
        clientId: d.client_id as string,
        clientSecret: d.client_secret as string,
        accessKeyId: d.accessKeyId as string,
        accessKeySecret: d.accessKeySecret as string,
        scope: 'openid admin',
      })
        .token()
        .then((t) => t.accessToken)
        .catch((err: unknown) => {
          throw grantFailure(err, `the token grant with ${file} failed`);
        });
      return token;
    },
  };
}

/** The profile's access token; renewed (and saved, rotated) when expired or refused. */
export function profileTokens(io: Io, name: string, saved: CredentialsFile): TokenSource {
  let profile = saved;
  const renew = async (): Promise<string | undefined> => {
    const { issuer, login_client_id: clientId, refresh_token: refreshToken } = profile;
    if (!issuer || !clientId || !refreshToken) return undefined;
    const tokens = await refreshSignIn({ issuer, clientId, refreshToken }).catch((err: unknown) => {
      if (isClientError(err) && err.code === 'invalid_grant') {
        throw new CliError(
          `the sign-in saved in profile ${name} has ended: log in again (cxauth login --profile ${name} --scope "openid admin")`,
        );
      }
      throw grantFailure(err, `renewing the token of profile ${name} failed`);
    });
    profile = {
      ...profile,
      access_token: tokens.access_token,
      ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
      ...(tokens.expires_in
        ? { access_token_expires_at: new Date(Date.now() + tokens.expires_in * 1000).toISOString() }
        : {}),
    };
    // The refresh token rotates: the old one is spent, so the new one must be kept at once.
    writeProfile(io.env, name, profile);
    return profile.access_token;
  };
  let renewed = false;
  return {
    async token() {
      const expires = Date.parse(profile.access_token_expires_at ?? '');
      const expired = !profile.access_token || (Number.isFinite(expires) && expires - SKEW_MS <= Date.now());
      if (expired && profile.refresh_token && !renewed) {
        renewed = true;
        return (await renew()) ?? profile.access_token;
      }
      return profile.access_token;
    },
    async renew() {
      if (renewed) return undefined;
      renewed = true;
      return renew();
    },
  };
}

/**
 * The admin API's server and token source for these flags, or undefined when none of them is given
 * (then `cxauth admin` works on the database directly). Without any token the requests go out bare
 * and the API's 401 tells the operator to log in.
 */
export function remoteTarget(
  flags: RemoteFlags,
  io: Io,
): { server: string; tokens: TokenSource } | undefined {
  if (flags.server === undefined && flags.profile === undefined && flags.demoCredentials === undefined) {
    return undefined;
  }
  const named = flags.profile ?? io.env['CXAUTH_PROFILE'];
  const profile = named
    ? readCredentialsFile(profilePath(io.env, named))
    : readCredentialsFile(profilePath(io.env, 'default'), true);
  const demo = flags.demoCredentials ? readCredentialsFile(flags.demoCredentials) : undefined;
  const server = flags.server ?? (flags.profile ? profile?.issuer : undefined) ?? demo?.issuer;
  if (!server) {
    throw new CliError(
      'name the server: --server URL (or a --profile or --demo-credentials with an issuer)',
      EXIT.usage,
    );
  }
  if (flags.demoCredentials) return { server, tokens: demoTokens(server, flags.demoCredentials) };
  const fromEnv = io.env['CXAUTH_ADMIN_TOKEN'];
  if (fromEnv) return { server, tokens: { token: async () => fromEnv } };
  const name = named ?? 'default';
  if (profile?.issuer && origin(profile.issuer) === origin(server)) {
    return { server, tokens: profileTokens(io, name, profile) };
  }
  if (flags.profile) {
    throw new CliError(`profile ${name} is for ${profile?.issuer ?? 'no issuer'}, not ${server}`, EXIT.usage);
  }
  return { server, tokens: { token: async () => undefined } };
}
