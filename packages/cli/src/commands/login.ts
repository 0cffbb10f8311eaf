// `cxauth login`: signs a user in with the code flow and PKCE through a loopback redirect (RFC 8252):
// prints the authorization URL (and opens a browser when there is one), waits for the callback, and
// saves the tokens in the profile (0600). The app is the demo's public one unless --client-id is given.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildAuthorizationUrl, handleCallback } from '@cxauth/client';
import { parseArgs } from '../args.js';
import { reportingClientErrors } from '../client/failure.js';
import { listenLoopback } from '../client/loopback.js';
import { type CredentialsFile, loginProfile, readCredentialsFile, writeProfile } from '../client/profiles.js';
import { CliError, EXIT, type Io, print } from '../io.js';
import { loginWithDevice } from './login-device.js';

const HELP = `usage: cxauth login [--issuer URL|NAME] [--client-id ID] [--profile NAME] [--scope S]
                    [--demo-credentials FILE] [--no-browser] [--device] [--wait SECONDS] [--json]

Signs you in through the issuer's sign-in page (authorization code + PKCE, RFC 7636) with a loopback
redirect to 127.0.0.1 on a free port (RFC 8252 §7.3), and saves the tokens in the profile
(default "default", mode 0600). Without --client-id, the demo's public application
(public_client_id of demo-credentials.json). Opens a browser when stdout is a terminal and
xdg-open/open exists (never with --no-browser); otherwise open the printed URL yourself.
--device: no browser here (RFC 8628): prints a URL and a code to enter on any device with a browser,
and waits for that sign-in; the app must be allowed the device_code grant.
--wait: how long to wait for the sign-in (default 300).`;

/** The issuer and client: flags, then the demo file, then CXAUTH_ISSUER, then the profile. */
function target(values: Record<string, string | boolean | undefined>, io: Io, profile: CredentialsFile) {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const demoFile =
    flag('demo-credentials') ?? path.resolve(io.env['CXAUTH_DATA_DIR'] || './data', 'demo-credentials.json');
  const demo =
    flag('demo-credentials') !== undefined || existsSync(demoFile)
      ? readCredentialsFile(demoFile)
      : undefined;
  const issuer = flag('issuer') ?? demo?.issuer ?? io.env['CXAUTH_ISSUER'] ?? profile.issuer;
  const clientId = flag('client-id') ?? demo?.public_client_id ?? profile.login_client_id;
  if (!issuer || !clientId) {
    throw new CliError('missing --issuer or --client-id (or a demo-credentials.json)', EXIT.usage);
  }
  return { issuer, clientId };
}

/** Opens `url` in the desktop's browser, if there is one; any failure is ignored (the URL is printed). */
function openBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? undefined : 'xdg-open';
  if (!opener) return;
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser: the printed URL is enough.
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      profile: { type: 'string' },
      scope: { type: 'string' },
      'demo-credentials': { type: 'string' },
      'no-browser': { type: 'boolean', default: false },
      device: { type: 'boolean', default: false },
      wait: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const { name, saved } = loginProfile(io.env, values.profile);
  const existing = saved ?? {};
  const { issuer, clientId } = target(values, io, existing);
  const wait = values.wait === undefined ? 300 : Number(values.wait);
  if (!Number.isFinite(wait) || wait <= 0) throw new CliError('--wait must be a positive number', EXIT.usage);
  if (values.device) {
    return reportingClientErrors('login', io, values.json, () =>
      loginWithDevice(io, { issuer, clientId, scope: values.scope, wait, json: values.json, name, existing }),
    );
  }
  return reportingClientErrors('login', io, values.json, async () => {
    const loopback = await listenLoopback(wait * 1000);
    try {
      const { url, pending } = await buildAuthorizationUrl({
        issuer,
        clientId,
        redirectUri: loopback.redirectUri,
        ...(values.scope ? { scope: values.scope } : {}),
      });
      io.stderr(`Open this URL in a browser to sign in:\n\n  ${url}\n`);
      if (!values['no-browser'] && process.stdout.isTTY) openBrowser(url);
      const callback = await loopback.callback.catch(() => {
        throw new CliError(`no sign-in within ${wait} s`, EXIT.failed);
      });
      const { tokens, claims } = await handleCallback(callback, pending);
      // A profile's other secrets belong to its issuer: signing in elsewhere starts a fresh profile.
      const base = existing.issuer === undefined || existing.issuer === pending.issuer ? existing : {};
      const file = writeProfile(io.env, name, {
        ...base,
        issuer: pending.issuer,
        login_client_id: clientId,
        access_token: tokens.access_token,
        ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
        ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
        ...(tokens.expires_in
          ? { access_token_expires_at: new Date(Date.now() + tokens.expires_in * 1000).toISOString() }
          : {}),
      });
      print(
        io,
        { signed_in: claims['name'] ?? claims['sub'], sub: claims['sub'], profile: file },
        values.json,
      );
      return EXIT.ok;
    } finally {
      loopback.close();
    }
  });
}
