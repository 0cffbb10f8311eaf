// `cxauth serve` as an operator runs it (the built CLI, spawned): private file modes under umask 000, a
// second `--demo` node on a seeded database, and the drain on SIGTERM — a stalled upload cannot hold the
// exit past CXAUTH_SHUTDOWN_TIMEOUT_MS, and kept-alive clients under load see no connection reset.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Served, serveUntil } from '../../../test/support/cli-processes.js';
import { freePort } from '../../../test/support/ports.js';
import { rawExchange, requestText } from '../../../test/support/raw-http.js';

const dirs: string[] = [];
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-harden-'));
  dirs.push(dir);
  return dir;
}

/** Spawns `cxauth …` under `umask 000` and resolves once stdout matches `ready`. */
const serve = (args: string[], env: Record<string, string>, ready: RegExp): Promise<Served> =>
  serveUntil(args, { CXAUTH_DATABASE_URL: '', CXAUTH_KEK: '', CXAUTH_LOG_LEVEL: 'warn', ...env }, ready, {
    running,
    umask: '000',
  });

/** The exit code, or 'still running' when it has not exited within `ms`. */
function exitWithin(served: Served, ms: number): Promise<number | string | null> {
  return Promise.race([served.exited, new Promise<string>((r) => setTimeout(() => r('still running'), ms))]);
}

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe('files and --demo on a seeded database', () => {
  it('keeps every file 0600 and the folder 0700 under umask 000; a second --demo node serves the database', async () => {
    const dirA = tempDir();
    chmodSync(dirA, 0o777);
    const port = await freePort();
    const first = await serve(
      ['serve', 'auth', '--demo'],
      { CXAUTH_DATA_DIR: dirA, CXAUTH_PORT: String(port) },
      /saved to .*demo-credentials\.json/,
    );
    const creds = JSON.parse(readFileSync(path.join(dirA, 'demo-credentials.json'), 'utf8'));
    const grant = new URLSearchParams({
      grant_type: 'password',
      username: creds.accessKeyId,
      password: creds.accessKeySecret,
    });
    const basic = `Basic ${Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64')}`;
    const tokenAt = (base: string) =>
      fetch(`${base}/auth/token`, { method: 'POST', headers: { authorization: basic }, body: grant });
    expect((await tokenAt(`http://127.0.0.1:${port}`)).status).toBe(200);

    expect(mode(dirA)).toBe('700');
    const files = readdirSync(dirA).sort();
    expect(files).toEqual(
      expect.arrayContaining(['cxauth.db', 'cxauth.db-shm', 'cxauth.db-wal', 'demo-credentials.json', 'kek']),
    );
    for (const file of files) expect(mode(path.join(dirA, file)), file).toBe('600');

    // A second node: its own (empty) data folder, the same database and KEK, --demo.
    const dirB = tempDir();
    const portB = await freePort();
    const second = await serve(
      ['serve', 'auth', '--demo'],
      {
        CXAUTH_DATA_DIR: dirB,
        CXAUTH_PORT: String(portB),
        CXAUTH_ISSUER: `http://127.0.0.1:${port}`,
        CXAUTH_DATABASE_URL: `sqlite:${path.join(dirA, 'cxauth.db')}`,
        CXAUTH_KEK: readFileSync(path.join(dirA, 'kek'), 'utf8').trim(),
      },
      /seeded by another node/,
    );
    expect(second.stdout()).toContain(path.join(dirB, 'demo-credentials.json'));
    expect((await tokenAt(`http://127.0.0.1:${portB}`)).status).toBe(200);

    second.child.kill('SIGTERM');
    first.child.kill('SIGTERM');
    expect(await exitWithin(second, 10_000)).toBe(0);
    expect(await exitWithin(first, 10_000)).toBe(0);
    for (const file of readdirSync(dirA)) expect(mode(path.join(dirA, file)), file).toBe('600');
  });
});

describe('drain on SIGTERM', () => {
  it('exits 0 within CXAUTH_SHUTDOWN_TIMEOUT_MS while an upload stalls', async () => {
    const port = await freePort();
    const served = await serve(
      ['serve', 'auth'],
      {
        CXAUTH_DATA_DIR: tempDir(),
        CXAUTH_PORT: String(port),
        // Longer than the drain: only the drain's deadline can end this upload.
        CXAUTH_REQUEST_TIMEOUT_MS: '60000',
        CXAUTH_SHUTDOWN_TIMEOUT_MS: '1000',
      },
      /listening/,
    );
    const head = requestText('POST', '/auth/token', [
      'Content-Type: application/x-www-form-urlencoded',
      'Content-Length: 100',
    ]);
    const upload = rawExchange(port, `${head}grant_type=`, { limitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    served.child.kill('SIGTERM');
    expect(await exitWithin(served, 8000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000 + 2500);
    expect((await upload).ms).toBeLessThan(10_000);
  });

  it('answers kept-alive clients under load to the end: no ECONNRESET, exit 0', async () => {
    const [port, apiPort] = [await freePort(), await freePort()];
    const served = await serve(
      ['serve', '--demo'],
      { CXAUTH_DATA_DIR: tempDir(), CXAUTH_PORT: String(port), CXAUTH_API_PORT: String(apiPort) },
      /regional API na1 listening/,
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const outcomes = new Map<string, number>();
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    let refused = false;
    const once = (target: number) =>
      new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: target, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            count(String(res.statusCode));
            resolve();
          });
          res.on('error', (err: NodeJS.ErrnoException) => {
            count(err.code ?? 'error');
            resolve();
          });
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          count(err.code ?? 'error');
          // Once the listener is closed there is nothing left to ask.
          if (err.code === 'ECONNREFUSED') refused = true;
          resolve();
        });
      });
    const loop = async (target: number) => {
      for (let i = 0; i < 5000 && !refused; i++) await once(target);
    };
    const load = Promise.all([loop(port), loop(port), loop(apiPort), loop(apiPort)]);
    await new Promise((r) => setTimeout(r, 400));
    served.child.kill('SIGTERM');
    const code = await exitWithin(served, 10_000);
    refused = true;
    await load;
    agent.destroy();
    expect(code).toBe(0);
    expect(outcomes.get('200') ?? 0).toBeGreaterThan(20);
    expect(Object.fromEntries(outcomes)).not.toHaveProperty('ECONNRESET');
    expect([...outcomes.keys()].filter((k) => k !== '200' && k !== 'ECONNREFUSED')).toEqual([]);
  });
});
