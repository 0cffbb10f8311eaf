// The client commands of the built `cxauth` against a real `cxauth serve --demo` (global service and
// the na1 API) on free ports: the demo credentials file, the whole flow, profiles, and exit codes.
// Needs the build (`npx tsc -b`, done by `npm test`): it runs packages/cli/bin/cxauth.js.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'packages/cli/bin/cxauth.js');
const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
const SERVER_TIME_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

const tmp = mkdtempSync(path.join(tmpdir(), 'cxauth-client-commands-'));
const dataDir = path.join(tmp, 'data');
let server: ChildProcess | undefined;
let serverOutput = '';
let issuer: string;
let apiEndpoint: string;
/** The environment of every client command: HOME in tmp, the demo data folder, nothing else of ours. */
let env: NodeJS.ProcessEnv;

/** Runs `cxauth …` to completion. */
function cxauth(args: string[], extraEnv: NodeJS.ProcessEnv = {}, stdin = '') {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env: { ...env, ...extraEnv } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

async function waitReady(url: string, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`cxauth serve exited:\n${serverOutput}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms:\n${serverOutput}`);
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'packages/cli/dist/commands/token.js'))) {
    throw new Error('packages/cli is not built: run `npx tsc -b` (npm test does) before this test');
  }
  const [port, apiPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${port}`;
  apiEndpoint = `http://127.0.0.1:${apiPort}`;
  env = { PATH: process.env['PATH'], HOME: tmp, CXAUTH_DATA_DIR: dataDir };
  server = spawn(process.execPath, [BIN, 'serve', '--demo'], {
    cwd: tmp,
    env: { ...env, CXAUTH_PORT: String(port), CXAUTH_API_PORT: String(apiPort), CXAUTH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => {
    serverOutput += d.toString();
  });
  server.stderr?.on('data', (d: Buffer) => {
    serverOutput += d.toString();
  });
  await waitReady(`${issuer}/readyz`);
  await waitReady(`${apiEndpoint}/healthz`);
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('client commands against cxauth serve --demo', () => {
  it('reads $CXAUTH_DATA_DIR/demo-credentials.json when no credentials are given, and calls the API', async () => {
    const r = await cxauth(['api', 'GET', SERVER_TIME]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
  });

  it('discover, token, decode and tenant walk the reference steps', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const discovery = await cxauth(['discover', '--json', '--issuer', issuer]);
    expect(JSON.parse(discovery.out).token_endpoint).toBe(`${issuer}/auth/token`);

    const token = await cxauth([
      'token',
      '--json',
      '--demo-credentials',
      path.join(dataDir, 'demo-credentials.json'),
    ]);
    expect(token.code).toBe(0);
    const response = JSON.parse(token.out);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid' });

    const summary = await cxauth(['token']);
    expect(summary.out).toMatch(new RegExp(`tenantId\\s+${demo.tenantId}`));
    for (const secret of [demo.client_secret, demo.accessKeySecret, response.access_token.slice(0, 40)]) {
      expect(summary.out).not.toContain(secret);
    }

    const decoded = await cxauth(['decode', '-', '--json'], {}, response.access_token);
    expect(JSON.parse(decoded.out)).toMatchObject({
      header: { alg: 'RS256', typ: 'at+jwt' },
      payload: { iss: issuer, tenantId: demo.tenantId, client_id: demo.client_id },
      signature_verified: false,
    });

    const tenant = await cxauth(['tenant', '--json']);
    expect(JSON.parse(tenant.out)).toMatchObject({
      tenantId: demo.tenantId,
      area: 'na1',
      api_endpoint: apiEndpoint,
    });
  });

  it('CXONE_* variables work as aliases, and --save-profile / --profile round-trip with mode 0600', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const cxone = {
      CXAUTH_DATA_DIR: path.join(tmp, 'nowhere'),
      CXONE_ISSUER: issuer,
      CXONE_CLIENT_ID: demo.client_id,
      CXONE_CLIENT_SECRET: demo.client_secret,
      CXONE_ACCESS_KEY_ID: demo.accessKeyId,
      CXONE_ACCESS_KEY_SECRET: demo.accessKeySecret,
    };
    const saved = await cxauth(['token', '--save-profile', 'demo'], cxone);
    expect(saved.code).toBe(0);
    const file = path.join(tmp, '.config', 'cxauth', 'profiles', 'demo.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const viaProfile = await cxauth(['api', 'GET', SERVER_TIME, '--profile', 'demo'], {
      CXAUTH_DATA_DIR: path.join(tmp, 'nowhere'),
    });
    expect(viaProfile.code).toBe(0);
    expect(JSON.parse(viaProfile.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
  });

  it('exit 1 when the application or the access key is refused, or the tenant is unknown', async () => {
    // Flags win over --demo-credentials field by field (the implicit demo file is only used alone,
    // so it never completes credentials meant for another issuer).
    const demoFile = path.join(dataDir, 'demo-credentials.json');
    const wrongApp = await cxauth([
      'token',
      '--demo-credentials',
      demoFile,
      '--client-secret',
      'wrong-secret',
    ]);
    expect(wrongApp.code).toBe(1);
    expect(wrongApp.err).toMatch(/client_id and client_secret.*\[invalid_client\]/);
    expect(wrongApp.err).not.toContain('wrong-secret');

    const wrongKey = await cxauth([
      'token',
      '--json',
      '--demo-credentials',
      demoFile,
      '--access-key-secret',
      'AAAA====',
    ]);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.out).error).toMatchObject({ code: 'invalid_grant', error: 'invalid_grant' });

    const unknown = await cxauth(['tenant', '--tenant-id', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/\[tenant_not_found\]/);
  });

  it('exit 2 for usage errors, exit 3 once the server is down', async () => {
    expect((await cxauth(['api', 'GET'])).code).toBe(2);
    // Partial credentials do not silently borrow the rest from the implicit demo file.
    expect((await cxauth(['token', '--client-secret', 'x'])).code).toBe(2);
    expect((await cxauth(['token', '--issuer', 'nowhere'])).code).toBe(2);
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server?.kill('SIGTERM');
    await exited;
    const down = await cxauth(['token']);
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/could not reach 127\.0\.0\.1:\d+.*\[network\]/);
  });
});
