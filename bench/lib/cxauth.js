import { execFileSync } from 'node:child_process';
// cxauth under test: `cxauth serve --demo` started as a user starts it, and the client calls the cases need.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { spawnChild, stopChild, waitForHttp } from './processes.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(root, 'packages', 'cli', 'bin', 'cxauth.js');
export const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
export const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §2.3.1: each part is form-urlencoded before it is joined and base64-encoded. */
export function basicAuth(id, secret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** The headers of a token request by the demo application (client_secret_basic). */
export function tokenHeaders(creds) {
  return { authorization: basicAuth(creds.client_id, creds.client_secret), 'content-type': FORM };
}

/** The form body of a password grant with the demo access key; `scope` omitted means the default (openid). */
export function passwordForm(creds, scope) {
  const form = new URLSearchParams({
    grant_type: 'password',
    username: creds.accessKeyId,
    password: creds.accessKeySecret,
  });
  if (scope !== undefined) form.set('scope', scope);
  return form.toString();
}

/**
 * Starts `node packages/cli/bin/cxauth.js serve --demo` in `dataDir` on free ports (SQLite by default, or
 * `databaseUrl` with `kek`), waits until both the global service and the demo area's API are ready, and reads
 * the demo credentials it wrote. `nodeArgs` (e.g. --cpu-prof) go to node itself; `cli` may name another
 * build of the cxauth executable; `env` adds settings (e.g. CXAUTH_SIGNING_ALG); `machineApp: false`
 * skips registering the client_credentials app (a build from before app types has no `--grant`).
 */
export async function startCxauth({
  dataDir,
  databaseUrl,
  kek,
  logFile,
  nodeArgs = [],
  cli = CLI,
  env: extra = {},
  machineApp = true,
}) {
  const [port, apiPort] = [await freePort(), await freePort()];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^CX(AUTH|ONE)_/.test(k)));
  Object.assign(env, {
    CXAUTH_DATA_DIR: dataDir,
    CXAUTH_PORT: String(port),
    CXAUTH_API_PORT: String(apiPort),
    CXAUTH_HOST: '127.0.0.1',
  });
  if (databaseUrl) env.CXAUTH_DATABASE_URL = databaseUrl;
  if (kek) env.CXAUTH_KEK = kek;
  Object.assign(env, extra);
  const child = spawnChild(process.execPath, [cli, 'serve', '--demo'], { env, logFile, nodeArgs, cwd: root });
  const issuer = `http://127.0.0.1:${port}`;
  const api = `http://127.0.0.1:${apiPort}`;
  try {
    await waitForHttp(`${issuer}/readyz`, child);
    await waitForHttp(`${api}/readyz`, child);
  } catch (err) {
    await stopChild(child);
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15) : [];
    // First line: the reason in short (the log's last line); then the log's tail for the reader.
    const short = log.at(-1)?.slice(0, 160) ?? err.message;
    throw new Error(`cxauth serve --demo did not start (${short})\n${err.message}\n${log.join('\n')}`);
  }
  const creds = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
  if (!machineApp) return { child, pid: child.pid, issuer, api, creds, dataDir, databaseUrl };
  // A backend bound to the demo tenant, for the client_credentials row (the demo app serves every
  // tenant, so it may not use that grant).
  const machine = JSON.parse(
    execFileSync(
      process.execPath,
      [
        cli,
        'admin',
        'app',
        'create',
        '--name',
        'bench machine',
        '--tenant',
        creds.tenantId,
        '--grant',
        'client_credentials',
        '--json',
      ],
      { env, cwd: root, encoding: 'utf8' },
    ),
  );
  const machineCreds = { client_id: machine.client_id, client_secret: machine.client_secret };
  // A third-party public app (not first-party: its users see the consent page once), for the code
  // grant with a remembered consent.
  const thirdParty = JSON.parse(
    execFileSync(
      process.execPath,
      [
        cli,
        'admin',
        'app',
        'create',
        '--name',
        'bench third party',
        '--type',
        'public',
        '--redirect-uri',
        'http://127.0.0.1/callback',
        '--json',
      ],
      { env, cwd: root, encoding: 'utf8' },
    ),
  );
  return {
    child,
    pid: child.pid,
    issuer,
    api,
    creds,
    machineCreds,
    thirdPartyClientId: thirdParty.client_id,
    dataDir,
    databaseUrl,
  };
}

/**
 * Starts one area's regional API alone (`cxauth serve api --area na1 --issuer …`) against a running
 * cxauth, with the revocation feed followed or not (`--revocation on|off`), and waits until it is ready.
 */
export async function startRegionalApi({ issuer, dataDir, logFile, revocation, cli = CLI }) {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^CX(AUTH|ONE)_/.test(k)));
  Object.assign(env, { CXAUTH_DATA_DIR: dataDir, CXAUTH_HOST: '127.0.0.1' });
  const args = [cli, 'serve', 'api', '--area', 'na1', '--issuer', issuer, '--port', String(port)];
  const child = spawnChild(process.execPath, [...args, '--revocation', revocation ? 'on' : 'off'], {
    env,
    logFile,
    cwd: root,
  });
  const api = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${api}/readyz`, child);
  } catch (err) {
    await stopChild(child);
    throw new Error(`cxauth serve api did not start: ${err.message}`);
  }
  return { child, pid: child.pid, api };
}

/** One token request; returns the parsed JSON body, or throws with the server's error. */
export async function tokenRequest(issuer, creds, form) {
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: tokenHeaders(creds),
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok)
    throw new Error(
      `token request failed: HTTP ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`,
    );
  return body;
}

/**
 * A scope without `openid`, so a response carries one signature (no id_token): the first scope from the
 * discovery document's `scopes_supported`, then a few customary names, that the server grants as asked.
 */
export async function findNonOpenidScope(issuer, creds) {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const candidates = [...(discovery.scopes_supported ?? []), 'offline_access', 'profile', 'email', 'api'];
  for (const scope of new Set(candidates.filter((s) => s !== 'openid'))) {
    try {
      const body = await tokenRequest(issuer, creds, passwordForm(creds, scope));
      if (body.access_token && !body.id_token) return scope;
    } catch {
      // not granted; try the next
    }
  }
  return undefined;
}
