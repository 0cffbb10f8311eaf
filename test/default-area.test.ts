// A fresh database has the default area `na1` as soon as `cxauth admin` or `cxauth serve` opens it (the
// built CLI, spawned, on empty data folders), with the demo's API endpoint; an operator's change to it,
// or a database that already has areas, is left alone. Uses the build made by `npm test`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';

const BIN = fileURLToPath(new URL('../packages/cli/bin/cxauth.js', import.meta.url));
const temps: string[] = [];
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-default-area-'));
  temps.push(dir);
  return { CXAUTH_DATA_DIR: dir, CXAUTH_DATABASE_URL: '', CXAUTH_KEK: '', CXAUTH_ISSUER: '', ...extra };
}

function cxauth(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function json(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const r = await cxauth([...args, '--json'], env);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

describe('the default area na1', () => {
  it('lets `admin tenant create --area na1` work on a fresh data folder', async () => {
    const apiPort = String(await freePort());
    const env = freshEnv({ CXAUTH_API_PORT: apiPort, CXAUTH_PORT: '18080' });
    const tenant = await json(['admin', 'tenant', 'create', '--name', 'acme', '--area', 'na1'], env);
    expect(tenant).toMatchObject({ name: 'acme', area: 'na1', status: 'active' });
    expect(await json(['admin', 'area', 'list'], env)).toEqual([
      expect.objectContaining({
        name: 'na1',
        api_endpoint: `http://127.0.0.1:${apiPort}`,
        ui_endpoint: 'http://127.0.0.1:18080',
        auth_endpoint: 'http://127.0.0.1:18080',
        domain: 'localhost',
      }),
    ]);
  });

  it('keeps what an operator set: na1 is only created while there is no area', async () => {
    const env = freshEnv();
    await json(['admin', 'area', 'update', 'na1', '--api-endpoint', 'https://api-na1.example.com'], env);
    await json(
      ['admin', 'area', 'create', '--name', 'eu1', '--api-endpoint', 'https://api-eu1.example.com'],
      env,
    );
    const areas = (await json(['admin', 'area', 'list'], env)) as unknown as Array<Record<string, unknown>>;
    expect(areas.map((a) => [a['name'], a['api_endpoint']])).toEqual([
      ['eu1', 'https://api-eu1.example.com'],
      ['na1', 'https://api-na1.example.com'],
    ]);
  });

  it('is there once `cxauth serve` (no --demo) has opened a fresh database, its API started', async () => {
    const [port, apiPort] = [await freePort(), await freePort()];
    const env = freshEnv({
      CXAUTH_PORT: String(port),
      CXAUTH_API_PORT: String(apiPort),
      CXAUTH_LOG_LEVEL: 'warn',
    });
    const child = spawn(process.execPath, [BIN, 'serve', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (/\}\s*$/.test(out)) resolve();
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}:\n${out}`)));
    });
    expect(JSON.parse(out).apis).toEqual([{ area: 'na1', url: `http://127.0.0.1:${apiPort}` }]);
    // Nobody can sign in yet: the report says how to make the first operator.
    expect(JSON.parse(out).first_operator).toMatch(/^npx cxauth admin bootstrap --email /);
    const tenant = await json(['admin', 'tenant', 'create', '--name', 'acme', '--area', 'na1'], env);
    const config = await fetch(
      `http://127.0.0.1:${port}/.well-known/cxone-configuration?tenantId=${tenant['id']}`,
    );
    expect(await config.json()).toMatchObject({ area: 'na1', api_endpoint: `http://127.0.0.1:${apiPort}` });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    running.delete(child);
  });
});
