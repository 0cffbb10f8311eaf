// `cxauth login --device`: signs a user in without a browser on this machine (RFC 8628): prints the
// verification URI and the user code, polls the token endpoint until the person approved on any
// device with a browser, and saves the tokens in the profile (0600), as `cxauth login` does.
import { pollDeviceAuthorization, startDeviceAuthorization } from '@cxauth/client';
import { type CredentialsFile, writeProfile } from '../client/profiles.js';
import { CliError, EXIT, type Io, print } from '../io.js';

export interface DeviceLogin {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string | undefined;
  /** Seconds to wait for the person, at most (the code's own lifetime may be shorter). */
  readonly wait: number;
  readonly json: boolean;
  /** The profile's name and what it held. */
  readonly name: string;
  readonly existing: CredentialsFile;
}

/**
 * Runs the device flow and saves what it gave.
 * @see RFC 8628 §3.3 (user interaction), §3.4–3.5 (polling)
 */
export async function loginWithDevice(io: Io, o: DeviceLogin): Promise<number> {
  const device = await startDeviceAuthorization({
    issuer: o.issuer,
    clientId: o.clientId,
    ...(o.scope ? { scope: o.scope } : {}),
  });
  io.stderr(
    `On any device with a browser, open\n\n  ${device.verificationUri}\n\nand enter the code\n\n  ${device.userCode}\n` +
      (device.verificationUriComplete ? `\n(or open ${device.verificationUriComplete})\n` : ''),
  );
  const signal = AbortSignal.timeout(o.wait * 1000);
  const { tokens, claims } = await pollDeviceAuthorization(device, { signal }).catch((err: unknown) => {
    if (signal.aborted) throw new CliError(`no sign-in within ${o.wait} s`, EXIT.failed);
    throw err;
  });
  // A profile's other secrets belong to its issuer: signing in elsewhere starts a fresh profile.
  const base = o.existing.issuer === undefined || o.existing.issuer === device.issuer ? o.existing : {};
  const file = writeProfile(io.env, o.name, {
    ...base,
    issuer: device.issuer,
    login_client_id: o.clientId,
    access_token: tokens.access_token,
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
    ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
    ...(tokens.expires_in
      ? { access_token_expires_at: new Date(Date.now() + tokens.expires_in * 1000).toISOString() }
      : {}),
  });
  print(io, { signed_in: claims['name'] ?? claims['sub'], sub: claims['sub'], profile: file }, o.json);
  return EXIT.ok;
}
