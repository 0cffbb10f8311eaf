// `cxauth serve api` and DPoP (the built CLI, spawned, against a fake issuer): `--origin` is the
// public origin a proof's `htu` is checked against behind a proxy, CXAUTH_API_DPOP_NONCE=on asks for
// the API's nonce (RFC 9449 §9), and a bad origin or nonce setting is bad usage (exit 2).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serveUntil } from '../../../test/support/cli-processes.js';
import { freePort } from '../../../test/support/ports.js';
import { ath, proof, proofKey } from '../../verify/test/support/dpop.js';
import { accessClaims, type FakeIssuer, mint, startIssuer } from '../../verify/test/support/issuer.js';

const BIN = fileURLToPath(new URL('../bin/cxauth.js', import.meta.url));
const PATH = '/inContactAPI/services/v25.0/server-time';
const PUBLIC = 'https://na1.api.example.com';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-cli-serve-dpop-'));
const running = new Set<import('node:child_process').ChildProcess>();
let issuer: FakeIssuer;

beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await issuer?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function serveApi(args: string[], env: Record<string, string> = {}): Promise<[Served, string]> {
  const port = await freePort();
  const served = await serveUntil(
    [
      'serve',
      'api',
      '--area',
      'na1',
      '--issuer',
      issuer.url,
      '--port',
      String(port),
      '--revocation',
      'off',
      ...args,
    ],
    { CXAUTH_DATA_DIR: dataDir, ...env },
    /listening|\}\s*$/,
    { running },
  );
  return [served, `http://127.0.0.1:${port}`];
}

function exitOf(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CXAUTH_DATA_DIR: dataDir, CXAUTH_DATABASE_URL: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('cxauth serve api with DPoP', () => {
  it('checks htu against --origin, and asks for its nonce with CXAUTH_API_DPOP_NONCE=on', async () => {
    const key = await proofKey();
    const now = Math.floor(Date.now() / 1000);
    const token = await mint(issuer.key, { ...accessClaims(issuer.url, now), cnf: { jkt: key.jkt } });
    const [served, local] = await serveApi(['--origin', `${PUBLIC}/`, '--json'], {
      CXAUTH_API_DPOP_NONCE: 'on',
      CXAUTH_API_DPOP_NONCE_SECRET: 'a-nonce-secret-shared-by-every-node',
    });
    const call = async (htu: string, nonce?: string) =>
      fetch(`${local}${PATH}`, {
        headers: {
          authorization: `DPoP ${token}`,
          dpop: await proof(key, { htu, iat: now, ath: ath(token), ...(nonce ? { nonce } : {}) }),
        },
      });
    // The public URL, first without the nonce: 401 use_dpop_nonce with the nonce to use.
    const asked = await call(`${PUBLIC}${PATH}`);
    expect(asked.status).toBe(401);
    expect(asked.headers.get('www-authenticate')).toMatch(/^DPoP .*error="use_dpop_nonce"/);
    const nonce = asked.headers.get('dpop-nonce') ?? '';
    expect(nonce).not.toBe('');
    const ok = await call(`${PUBLIC}${PATH}`, nonce);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { ServerTime: string }).ServerTime).toMatch(/Z$/);
    // The URL the proxy forwarded to is not the one the client called.
    const behind = await call(`${local}${PATH}`, nonce);
    expect(behind.status).toBe(401);
    expect(behind.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  });

  it('serve refuses an --origin for an area it does not serve, after reading its areas (exit 2)', async () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'cxauth-cli-serve-origin-'));
    try {
      const ports = { CXAUTH_PORT: String(await freePort()), CXAUTH_API_PORT: String(await freePort()) };
      const env = { ...ports, CXAUTH_DATA_DIR: own, CXAUTH_KEK: '' };
      // The database's one local area is na1 (the default area's API on CXAUTH_API_PORT).
      const named = await exitOf(['serve', '--origin', 'eu9=https://eu9.api.example.com'], env);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain(
        '--origin names area eu9, whose API this node does not serve (it serves na1)',
      );
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it.each([
    [
      [
        'serve',
        'api',
        '--area',
        'na1',
        '--issuer',
        'http://127.0.0.1:9',
        '--origin',
        'https://x.example/api',
      ],
      {},
    ],
    [['serve', 'api', '--area', 'na1', '--issuer', 'http://127.0.0.1:9', '--origin', 'not a url'], {}],
    [['serve', 'auth', '--origin', 'https://x.example'], {}],
    [['serve', '--origin', 'https://x.example/api'], {}],
    [['serve', '--origin', 'https://x.example', '--origin', 'https://y.example'], {}],
    [['serve', '--origin', 'na1=https://x.example', '--origin', 'https://y.example'], {}],
    [['serve', '--origin', 'na1=https://x.example', '--origin', 'na1=https://y.example'], {}],
    [
      [
        'serve',
        'api',
        '--area',
        'na1',
        '--issuer',
        'http://127.0.0.1:9',
        '--origin',
        'eu1=https://x.example',
      ],
      {},
    ],
    [['serve'], { CXAUTH_API_DPOP_NONCE: 'maybe' }],
    [['serve', 'api', '--area', 'na1', '--issuer', 'http://127.0.0.1:9'], { CXAUTH_API_DPOP_NONCE: 'maybe' }],
    [
      ['serve', 'api', '--area', 'na1', '--issuer', 'http://127.0.0.1:9'],
      { CXAUTH_API_DPOP_NONCE: 'on', CXAUTH_API_DPOP_NONCE_SECRET: 'short' },
    ],
  ])('refuses %j %j with exit 2', async (args, env) => {
    const { code, stderr } = await exitOf(args, env);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--origin|CXAUTH_API_DPOP_NONCE/);
  });
});
