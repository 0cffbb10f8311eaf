// The client commands in-process against a fake issuer: credential sources and their order,
// profiles written 0600, demo credentials, output without secrets, and exit codes.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHost } from '../../client/test/support/fake-host.js';
import {
  APP,
  type FakeIssuer,
  KEY,
  SERVER_TIME,
  startFakeIssuer,
  TENANT,
} from '../../client/test/support/fake-issuer.js';
import { main } from '../src/main.js';

let fake: FakeIssuer;
let tmp: string;

function run(argv: string[], env: Record<string, string> = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    env: { HOME: tmp, ...env },
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    readStdin: async () => stdin,
  };
  return main(argv, io).then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

const flags = () => [
  '--issuer',
  fake.url,
  '--client-id',
  APP.clientId,
  '--client-secret',
  APP.clientSecret,
  '--access-key-id',
  KEY.accessKeyId,
  '--access-key-secret',
  KEY.accessKeySecret,
];
const cxauthEnv = () => ({
  CXAUTH_ISSUER: fake.url,
  CXAUTH_CLIENT_ID: APP.clientId,
  CXAUTH_CLIENT_SECRET: APP.clientSecret,
  CXAUTH_ACCESS_KEY_ID: KEY.accessKeyId,
  CXAUTH_ACCESS_KEY_SECRET: KEY.accessKeySecret,
});
const SECRETS = new RegExp(
  [APP.clientSecret, KEY.accessKeySecret].map((s) => s.replace(/=/g, '\\=')).join('|'),
);

beforeEach(async () => {
  fake = await startFakeIssuer();
  tmp = mkdtempSync(path.join(tmpdir(), 'cxauth-cli-'));
});
afterEach(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('cxauth token', () => {
  it('prints a summary without tokens or secrets', async () => {
    const r = await run(['token', ...flags()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/token_type\s+Bearer/);
    expect(r.out).toMatch(new RegExp(`tenantId\\s+${TENANT}`));
    expect(r.out).not.toMatch(SECRETS);
    expect(r.out).not.toMatch(/eyJ/);
    expect(r.out).not.toMatch(/rt-1/);
  });

  it('--json prints the full token response', async () => {
    const r = await run(['token', '--json', ...flags()]);
    const body = JSON.parse(r.out);
    expect(fake.validAccess.has(body.access_token)).toBe(true);
    expect(body.refresh_token).toBe('rt-1');
  });

  it('reads CXAUTH_* variables, CXONE_* aliases, and prefers flags, then CXAUTH_*, then CXONE_*', async () => {
    const cxone = Object.fromEntries(
      Object.entries(cxauthEnv()).map(([k, v]) => [k.replace('CXAUTH_', 'CXONE_'), v]),
    );
    expect((await run(['token'], cxone)).code).toBe(0);
    expect((await run(['token'], { ...cxone, CXAUTH_CLIENT_SECRET: 'wrong' })).code).toBe(1);
    expect(
      (await run(['token', '--client-secret', APP.clientSecret], { ...cxone, CXAUTH_CLIENT_SECRET: 'x' }))
        .code,
    ).toBe(0);
  });

  it("never sends a profile's secrets to another issuer than the profile's own", async () => {
    expect((await run(['token', '--save-profile', 'default', ...flags()])).code).toBe(0);
    const other = await startFakeIssuer();
    try {
      const r = await run(['token', '--issuer', other.url]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/missing --client-id, --client-secret, --access-key-id, --access-key-secret/);
      expect(other.count.password).toBe(0);
      // Naming the profile's own issuer (with a trailing slash) still uses it.
      expect((await run(['token', '--issuer', `${fake.url}/`])).code).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('--save-profile writes a 0600 profile under XDG_CONFIG_HOME that --profile reads back', async () => {
    const xdg = path.join(tmp, 'xdg');
    const saved = await run(['token', '--save-profile', 'work', ...flags()], { XDG_CONFIG_HOME: xdg });
    expect(saved.code).toBe(0);
    const file = path.join(xdg, 'cxauth', 'profiles', 'work.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      issuer: fake.url,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      accessKeyId: KEY.accessKeyId,
      accessKeySecret: KEY.accessKeySecret,
    });
    expect(saved.err).toContain(file);
    const again = await run(['token', '--profile', 'work', '--json'], { XDG_CONFIG_HOME: xdg });
    expect(again.code).toBe(0);
    expect(fake.count.password).toBe(2);
    // Without XDG_CONFIG_HOME the profile lives under $HOME/.config; a missing profile is a usage error.
    expect((await run(['token', '--profile', 'work'])).code).toBe(2);
    expect((await run(['token', '--save-profile', 'default', ...flags()])).code).toBe(0);
    expect(statSync(path.join(tmp, '.config', 'cxauth', 'profiles', 'default.json')).isFile()).toBe(true);
    expect((await run(['token'])).code).toBe(0);
  });

  it('reads --demo-credentials FILE, and $CXAUTH_DATA_DIR/demo-credentials.json when nothing else is given', async () => {
    const demo = {
      issuer: fake.url,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      accessKeyId: KEY.accessKeyId,
      accessKeySecret: KEY.accessKeySecret,
      tenantId: TENANT,
    };
    const file = path.join(tmp, 'demo-credentials.json');
    writeFileSync(file, JSON.stringify(demo));
    expect((await run(['token', '--demo-credentials', file])).code).toBe(0);
    expect((await run(['tenant'], { CXAUTH_DATA_DIR: tmp })).code).toBe(0);
    expect((await run(['token'], { CXAUTH_DATA_DIR: path.join(tmp, 'none') })).code).toBe(2);
  });
});

describe('exit codes and errors', () => {
  it('1 with invalid_client when the application is refused, as JSON on stdout with --json', async () => {
    const args = flags();
    args[5] = 'wrong-app-secret';
    const r = await run(['token', '--json', ...args]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error).toMatchObject({
      code: 'invalid_client',
      status: 401,
      error: 'invalid_client',
    });
    expect(r.err).toMatch(/client_id and client_secret/);
    expect(`${r.out}${r.err}`).not.toMatch(/wrong-app-secret/);
  });

  it('1 with invalid_grant when the access key is refused', async () => {
    const args = flags();
    args[9] = 'WRONG====';
    const r = await run(['token', ...args]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/access key.*\[invalid_grant\]/);
  });

  it('3 when the issuer cannot be reached, 2 when credentials are missing', async () => {
    const gone = await startFakeHost(() => ({}));
    await gone.close();
    const r = await run(['discover', '--issuer', gone.url]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/\[network\]/);
    expect((await run(['token', '--issuer', fake.url])).code).toBe(2);
    expect((await run(['discover', '--issuer', 'not a url'])).code).toBe(2);
  });

  it('2 with a one-line message when an option lacks its value', async () => {
    const r = await run(['token', '--issuer']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^cxauth token: Option '--issuer <value>' argument missing/);
  });
});

describe('--json keeps stdout one JSON document', () => {
  it('api: a text body is a JSON string, an empty body null, and -i goes to stderr', async () => {
    fake.override = (req) =>
      req.path === '/api/page'
        ? { body: '<html>hi</html>', headers: { 'Content-Type': 'text/html' } }
        : req.path === '/api/empty'
          ? { status: 204 }
          : undefined;
    const page = await run(['api', 'GET', '/api/page', '--json', '-i'], cxauthEnv());
    expect(page.code).toBe(0);
    expect(JSON.parse(page.out)).toBe('<html>hi</html>');
    expect(page.err).toContain('HTTP 200');
    const empty = await run(['api', 'GET', '/api/empty', '--json'], cxauthEnv());
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.out)).toBeNull();
  });

  it('token: a bad --save-profile name is refused before any request, with one JSON error', async () => {
    const r = await run(['token', '--json', ...flags(), '--save-profile', '../x']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'usage' });
    expect(fake.count.password).toBe(0);
  });

  it('api: a --header without a colon is refused without echoing any of its value', async () => {
    const r = await run(['api', 'GET', '/api/x', '-H', 'Authorization Bearer s3cr3t-t0ken'], cxauthEnv());
    expect(r.code).toBe(2);
    expect(`${r.out}${r.err}`).not.toMatch(/s3cr3t|Bearer/);
  });

  it('a token that starts with -- is refused as an unknown option without printing it', async () => {
    // A base64url token starts with "--" once in 4096: node:util quotes the word it refuses.
    const token = `--${'Zk3vQ9xL2mR7tYwUe1sNa0bCdEfGhIjKlMnOpQrStU'}`;
    for (const json of [[], ['--json']]) {
      const r = await run(['revoke', token, ...json], cxauthEnv());
      expect(r.code).toBe(2);
      expect(`${r.out}${r.err}`).toContain('Unknown option');
      expect(`${r.out}${r.err}`).not.toContain(token.slice(8));
    }
  });

  it('api: a malformed --api-endpoint or --header value is bad usage (exit 2), not a network failure', async () => {
    for (const bad of [
      ['--api-endpoint', 'foo'],
      ['--api-endpoint', 'ftp://x'],
      ['-H', 'X-A: a\u0001b'],
      ['-H', 'X-A: a\nInjected: 1'],
      ['-H', 'X-A: 5 €'],
    ]) {
      const r = await run(['api', 'GET', '/api/x', ...bad], cxauthEnv());
      expect(r.code, `${bad.join(' ')}: ${r.err}`).toBe(2);
    }
    expect(fake.count.api).toBe(0);
  });

  it('token: a profile that cannot be written leaves one JSON document (the error), exit 1', async () => {
    // A folder where the profile file should go: the rename fails (permissions would not stop root).
    mkdirSync(path.join(tmp, '.config', 'cxauth', 'profiles', 'p.json'), { recursive: true });
    const r = await run(['token', '--json', ...flags(), '--save-profile', 'p']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'failed' });
    expect(readdirSync(path.join(tmp, '.config', 'cxauth', 'profiles'))).toEqual(['p.json']);
  });

  it('a token response whose expires_in is beyond the range of Date still prints (exit 0)', async () => {
    fake.override = (req) =>
      req.path === '/auth/token'
        ? { body: { access_token: 'opaque', token_type: 'Bearer', expires_in: 1e300 } }
        : undefined;
    const r = await run(['token', ...flags()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/expires_in\s+1e\+300/);
  });
});

describe('discover, tenant, api', () => {
  it('discover needs only the issuer', async () => {
    const r = await run(['discover', '--json', '--issuer', fake.url]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).token_endpoint).toBe(`${fake.url}/auth/token`);
  });

  it('tenant prints the api_endpoint of the token tenant', async () => {
    const r = await run(['tenant', '--json'], cxauthEnv());
    expect(JSON.parse(r.out)).toMatchObject({ tenantId: TENANT, api_endpoint: fake.url });
  });

  it('tenant --tenant-id needs only the issuer; an unknown tenant exits 1 with tenant_not_found', async () => {
    const known = await run(['tenant', '--json', '--issuer', fake.url, '--tenant-id', TENANT]);
    expect(JSON.parse(known.out).api_endpoint).toBe(fake.url);
    const r = await run(['tenant', '--issuer', fake.url, '--tenant-id', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no tenant nobody.*\[tenant_not_found\]/);
  });

  it('api prints the body, sends --data as JSON, and exits 1 with the body on an error status', async () => {
    const ok = await run(['api', 'GET', '/api/server-time', '-i'], cxauthEnv());
    expect(ok.code).toBe(0);
    expect(ok.out).toBe(`HTTP 200\n${JSON.stringify(SERVER_TIME, null, 2)}`);
    await run(['api', 'POST', '/api/things', '--data', '{"a":[1,2]}', '-H', 'X-Trace: 7'], cxauthEnv());
    const sent = fake.of('api').at(-1)!;
    expect(sent.body).toBe('{"a":[1,2]}');
    expect(sent.headers['x-trace']).toBe('7');
    fake.override = (req) =>
      req.path === '/api/missing' ? { status: 404, body: { message: 'no such thing' } } : undefined;
    const missing = await run(['api', 'GET', '/api/missing'], cxauthEnv());
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('no such thing');
    expect(missing.err).toMatch(/answered 404.*\[api_error\]/);
    expect((await run(['api', 'GET', '/x', '--data', '{bad'], cxauthEnv())).code).toBe(2);
    expect((await run(['api', 'GET'], cxauthEnv())).code).toBe(2);
  });
});
