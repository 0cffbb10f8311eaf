// The whole reference flow over real sockets, one process per side: the global service (`cxauth serve
// auth`) and two areas (`cxauth serve api`, na1 and eu1). A na1 token works on na1, is refused on eu1
// with na1's api_endpoint, and na1 keeps serving while the global service is stopped.
// Needs the build (`npx tsc -b`, done by `npm test`): it runs packages/cli/bin/cxauth.js.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'packages/cli/bin/cxauth.js');
const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
const SERVER_TIME_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

interface Running {
  child: ChildProcess;
  output: string[];
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'cxauth-e2e-areas-'));
const running: Running[] = [];
let env: NodeJS.ProcessEnv;
let issuer: string;
let na1: string;
let eu1: string;
let auth: Running;

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Running = { child, output: [] };
  child.stdout?.on('data', (d: Buffer) => proc.output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => proc.output.push(d.toString()));
  running.push(proc);
  return proc;
}

/** Runs `cxauth admin … --json` to completion and returns its JSON output. */
async function admin(...args: string[]): Promise<Record<string, unknown>> {
  const proc = start(['admin', ...args, '--json']);
  const code = await new Promise<number | null>((resolve) => proc.child.on('exit', resolve));
  const out = proc.output.join('');
  if (code !== 0) throw new Error(`cxauth admin ${args.join(' ')} exited ${code}:\n${out}`);
  return JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as Record<string, unknown>;
}

async function stop(proc: Running): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200, or fails with the process output after `ms`. */
async function waitReady(url: string, proc: Running, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${url}: process exited:\n${proc.output.join('')}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms:\n${proc.output.join('')}`);
}

async function token(
  clientId: string,
  clientSecret: string,
  keyId: string,
  keySecret: string,
): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
    'base64',
  );
  const body = new URLSearchParams({ grant_type: 'password', username: keyId, password: keySecret });
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const json = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json.access_token as string;
}

const serverTime = (base: string, accessToken: string) =>
  fetch(`${base}${SERVER_TIME}`, { headers: { authorization: `bearer ${accessToken}` } });

const tenantIdOf = (jwt: string): string =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')).tenantId;

let na1Token: string;
let na1SpareToken: string;
let eu1Token: string;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'packages/cli/dist/main.js'))) {
    throw new Error('packages/cli is not built: run `npx tsc -b` (npm test does) before this test');
  }
  const [authPort, na1Port, eu1Port] = [await freePort(), await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${authPort}`;
  na1 = `http://127.0.0.1:${na1Port}`;
  eu1 = `http://127.0.0.1:${eu1Port}`;
  env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    CXAUTH_DATA_DIR: dataDir,
    CXAUTH_DATABASE_URL: `sqlite:${path.join(dataDir, 'cxauth.db')}`,
    CXAUTH_ISSUER: issuer,
    CXAUTH_HOST: '127.0.0.1',
    CXAUTH_PORT: String(authPort),
    CXAUTH_API_PORT: String(na1Port),
  };

  await admin('area', 'update', 'na1', '--api-endpoint', na1); // every new database has na1
  await admin('area', 'create', '--name', 'eu1', '--api-endpoint', eu1);
  const app = await admin('app', 'create', '--name', 'e2e-areas');
  const credentials: string[][] = [];
  for (const [name, area] of [
    ['na1-tenant', 'na1'],
    ['eu1-tenant', 'eu1'],
  ] as const) {
    const tenant = await admin('tenant', 'create', '--name', name, '--area', area);
    const user = await admin(
      'user',
      'create',
      '--tenant',
      String(tenant['id']),
      '--email',
      `admin@${name}.test`,
    );
    const key = await admin('key', 'create', '--user', String(user['id']));
    credentials.push([String(key['accessKeyId']), String(key['accessKeySecret'])]);
  }

  auth = start(['serve', 'auth']);
  await waitReady(`${issuer}/readyz`, auth);
  const [na1Key, eu1Key] = credentials as [[string, string], [string, string]];
  const client = [String(app['client_id']), String(app['client_secret'])] as const;
  na1Token = await token(...client, ...na1Key);
  na1SpareToken = await token(...client, ...na1Key);
  eu1Token = await token(...client, ...eu1Key);

  const na1Api = start(['serve', 'api', '--area', 'na1', '--issuer', issuer, '--port', String(na1Port)]);
  const eu1Api = start(['serve', 'api', '--area', 'eu1', '--issuer', issuer, '--port', String(eu1Port)]);
  await waitReady(`${na1}/readyz`, na1Api);
  await waitReady(`${eu1}/readyz`, eu1Api);
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map(stop));
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('areas end to end', () => {
  it("routes a na1 tenant to na1 through the issuer's tenant discovery", async () => {
    const res = await fetch(`${issuer}/.well-known/cxone-configuration?tenantId=${tenantIdOf(na1Token)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ area: 'na1', api_endpoint: na1 });
  });

  it('serves ServerTime on na1 to a na1 token (scheme in lower case, as the reference sends it)', async () => {
    const res = await serverTime(na1, na1Token);
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown).toEqual({ ServerTime: expect.stringMatching(SERVER_TIME_FORMAT) });
  });

  it('refuses the na1 token on eu1 with 403 wrong_area naming na1', async () => {
    const res = await serverTime(eu1, na1Token);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'wrong_area', area: 'na1', api_endpoint: na1 });
  });

  it('serves the eu1 tenant on eu1 and refuses it on na1', async () => {
    expect((await serverTime(eu1, eu1Token)).status).toBe(200);
    const res = await serverTime(na1, eu1Token);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'wrong_area', area: 'eu1', api_endpoint: eu1 });
  });

  it('refuses a missing or tampered token with 401', async () => {
    const missing = await fetch(`${na1}${SERVER_TIME}`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*"$/);
    const [h, p, s] = na1Token.split('.');
    const tampered = await serverTime(na1, `${h}.${p}.${s?.slice(0, -4)}AAAA`);
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('keeps serving na1 while the global service is stopped', async () => {
    await stop(auth);
    await expect(fetch(`${issuer}/readyz`)).rejects.toThrow();
    expect((await serverTime(na1, na1Token)).status).toBe(200);
    // A token this area never saw before: verified with the cached keys, no call to the issuer.
    expect((await serverTime(na1, na1SpareToken)).status).toBe(200);
    expect((await fetch(`${na1}/readyz`)).status).toBe(200);
  });
});
