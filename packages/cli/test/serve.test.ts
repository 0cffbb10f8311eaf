// `cxauth serve` end to end (the built CLI, spawned): --demo prints its credentials once and reuses
// them, the global service and the demo area's API answer the reference flow, SIGTERM stops cleanly;
// `serve api` runs one area alone; bad usage exits 2.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Served, serveUntil } from '../../../test/support/cli-processes.js';
import { freePort } from '../../../test/support/ports.js';

const BIN = fileURLToPath(new URL('../bin/cxauth.js', import.meta.url));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-cli-serve-'));
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Spawns `cxauth …` on this file's data folder and resolves once stdout matches `ready`. */
const serve = (args: string[], env: Record<string, string>, ready: RegExp): Promise<Served> =>
  serveUntil(args, { CXAUTH_DATA_DIR: dataDir, CXAUTH_DATABASE_URL: '', CXAUTH_KEK: '', ...env }, ready, {
    running,
  });

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // Never the repository's own ./data: each run gets a fresh folder of its own.
    const own = mkdtempSync(path.join(dataDir, 'run-'));
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CXAUTH_DATA_DIR: own, CXAUTH_DATABASE_URL: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('cxauth serve --demo', () => {
  it('seeds, prints the credentials once, serves the flow, and stops on SIGTERM', async () => {
    const [port, apiPort] = [await freePort(), await freePort()];
    const env = { CXAUTH_PORT: String(port), CXAUTH_API_PORT: String(apiPort) };
    const issuer = `http://127.0.0.1:${port}`;
    const first = await serve(['serve', '--demo'], env, /saved to .*demo-credentials\.json/);
    const file = path.join(dataDir, 'demo-credentials.json');
    const creds = JSON.parse(readFileSync(file, 'utf8'));
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(Object.keys(creds)).toEqual([
      'issuer',
      'client_id',
      'client_secret',
      'accessKeyId',
      'accessKeySecret',
      'tenantId',
      'username',
      'password',
      'public_client_id',
    ]);
    expect(creds.issuer).toBe(issuer);
    expect(first.stdout()).toContain(`cxauth global service listening on ${issuer}`);
    expect(first.stdout()).toContain(`cxauth regional API na1 listening on http://127.0.0.1:${apiPort}`);
    expect(first.stdout()).toContain(creds.accessKeySecret);

    const basic = `Basic ${Buffer.from(`${encodeURIComponent(creds.client_id)}:${encodeURIComponent(creds.client_secret)}`).toString('base64')}`;
    const token = await fetch(`${issuer}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: `grant_type=password&username=${encodeURIComponent(creds.accessKeyId)}&password=${encodeURIComponent(creds.accessKeySecret)}`,
    });
    expect(token.status).toBe(200);
    const { access_token } = await token.json();
    const tenant = await (
      await fetch(`${issuer}/.well-known/cxone-configuration?tenantId=${creds.tenantId}`)
    ).json();
    expect(tenant.api_endpoint).toBe(`http://127.0.0.1:${apiPort}`);
    const time = await fetch(`${tenant.api_endpoint}/inContactAPI/services/v25.0/server-time`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(time.status).toBe(200);
    expect((await time.json()).ServerTime).toMatch(/Z$/);
    const refused = await fetch(`${tenant.api_endpoint}/inContactAPI/services/v25.0/server-time`, {
      headers: { authorization: `Bearer ${access_token}x` },
    });
    expect(refused.status).toBe(401);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // Logs go to stderr, one line per request, and never hold a credential.
    expect(first.stderr()).toContain('"path":"/auth/token"');
    // At info, the successful API call leaves no line; the refused one leaves one, tagged with its area.
    const apiLines = first
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.path === '/inContactAPI/services/v25.0/server-time');
    expect(apiLines).toEqual([expect.objectContaining({ level: 30, area: 'na1', status: 401 })]);
    for (const secret of [creds.client_secret, creds.accessKeySecret, access_token, basic.slice(6)]) {
      expect(first.stderr()).not.toContain(secret);
    }

    const second = await serve(['serve', '--demo'], env, /reused from/);
    expect(second.stdout()).toContain(`Demo credentials reused from ${file}`);
    expect(second.stdout()).not.toContain(creds.accessKeySecret);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('serve auth --json runs the global service alone', async () => {
    const port = await freePort();
    const served = await serve(['serve', 'auth', '--json'], { CXAUTH_PORT: String(port) }, /\}\s*$/);
    const report = JSON.parse(served.stdout());
    expect(report).toMatchObject({
      issuer: `http://127.0.0.1:${port}`,
      auth: `http://127.0.0.1:${port}`,
      apis: [],
    });
    expect((await fetch(`${report.auth}/healthz`)).status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  });
});

describe('cxauth serve api', () => {
  it('runs one regional API without a database, with short log lines when asked', async () => {
    const port = await freePort();
    const served = await serve(
      ['serve', 'api', '--area', 'eu1', '--issuer', 'http://127.0.0.1:9', '--port', String(port), '--json'],
      { CXAUTH_DATA_DIR: '/nonexistent', CXAUTH_LOG_FORMAT: 'pretty' },
      /\}\s*$/,
    );
    expect(JSON.parse(served.stdout())).toEqual({
      issuer: 'http://127.0.0.1:9',
      apis: [{ area: 'eu1', url: `http://127.0.0.1:${port}` }],
    });
    const res = await fetch(`http://127.0.0.1:${port}/inContactAPI/services/v25.0/server-time`);
    expect(res.status).toBe(401);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(served.stderr()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}eu1 GET \/inContactAPI\/services\/v25\.0\/server-time 401 \d+ ms$/m,
    );
  });

  it('refuses an unknown log level or format with exit 2', async () => {
    const level = await run(['serve', 'api', '--area', 'eu1', '--issuer', 'http://127.0.0.1:9'], {
      CXAUTH_LOG_LEVEL: 'verbose',
    });
    expect(level).toMatchObject({ code: 2, stderr: expect.stringContaining('CXAUTH_LOG_LEVEL') });
    const format = await run(['serve', 'api', '--area', 'eu1', '--issuer', 'http://127.0.0.1:9'], {
      CXAUTH_LOG_FORMAT: 'xml',
    });
    expect(format).toMatchObject({ code: 2, stderr: expect.stringContaining('CXAUTH_LOG_FORMAT') });
  });
});

describe('cxauth serve: start-up failures and bad usage', () => {
  it('refuses a malformed setting with exit 2 and a one-line message naming it', async () => {
    const { code, stderr } = await run(['serve', 'auth'], { CXAUTH_PORT: 'eighty' });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'cxauth serve: CXAUTH_PORT must be a whole number from 0 to 65535; it is "eighty".',
    );
  });

  it('says which port is taken, and how to choose another, when it cannot listen', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const { code, stderr } = await run(['serve', 'auth'], { CXAUTH_PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `cxauth serve: 127.0.0.1:${port} is already in use: stop what listens there or choose another port (CXAUTH_PORT, CXAUTH_API_PORT, --port)`,
      );
    } finally {
      blocker.close();
    }
  });

  it('says the database cannot be reached, with exit 3', async () => {
    const { code, stderr } = await run(['serve', 'auth'], {
      CXAUTH_PORT: String(await freePort()),
      CXAUTH_DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
      CXAUTH_KEK: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /^cxauth serve: cannot reach the database at 127\.0\.0\.1:\d+ \(CXAUTH_DATABASE_URL\)\n?$/,
    );
  });

  it.each([
    [['serve', 'api']],
    [['serve', 'nonsense']],
    [['serve', '--area', 'na1']],
    [['serve', '--bogus']],
    [['serve', 'api', '--area', 'bad area!', '--issuer', 'http://127.0.0.1:9']],
    [['serve', 'api', '--area', 'eu1', '--issuer', 'not a url']],
  ])('refuses bad usage %j with exit 2', async (args) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cxauth serve/);
  });
});
