// `cxauth admin --server` against a live `cxauth serve --demo` (its own process, free ports, a temp data
// folder): the create/list/show/deactivate cycle of tenants, users, apps and keys answers the same
// fields through the admin API as on the database, a record reads the same (JSON and text) either way,
// no token is a 401 telling to log in, an Administrator is confined to its tenant (another tenant's
// user is 404, and so is an import into it), a saved profile's token is used, an unreachable server is exit 3 and a verb the API
// has no route for is exit 2. Needs the build (`npx tsc -b`, by `npm test`).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProcesses, waitReady } from '../../../test/support/cli-processes.js';
import { freePort } from '../../../test/support/ports.js';
import { KINDS } from '../src/commands/admin/kinds.js';
import { ROUTES } from '../src/commands/admin/remote/routes.js';
import { main } from '../src/main.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'cxauth-admin-remote-'));
const home = mkdtempSync(path.join(tmpdir(), 'cxauth-admin-remote-home-'));
const demoFile = path.join(dataDir, 'demo-credentials.json');
let env: NodeJS.ProcessEnv;
const { start, stopAll } = cliProcesses(() => env);
let issuer: string;
let demo: Record<string, string>;

beforeAll(async () => {
  const [port, apiPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${port}`;
  env = {
    ...process.env,
    CXAUTH_DATA_DIR: dataDir,
    CXAUTH_DATABASE_URL: '',
    CXAUTH_KEK: '',
    CXAUTH_PORT: String(port),
    CXAUTH_API_PORT: String(apiPort),
  };
  const served = start(['serve', '--demo']);
  await waitReady(`${issuer}/.well-known/openid-configuration`, served);
  demo = JSON.parse(readFileSync(demoFile, 'utf8')) as Record<string, string>;
}, 60_000);

afterAll(async () => {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** `cxauth` in-process; `extra` adds to (or with '' clears) the environment. */
async function cli(argv: string[], extra: NodeJS.ProcessEnv = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    env: { CXAUTH_DATA_DIR: dataDir, XDG_CONFIG_HOME: home, ...extra },
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => stdin,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const REMOTE = () => ['--server', issuer, '--demo-credentials', demoFile];

/** `cxauth admin … --json` directly (no prefix) or through the API; the parsed result. */
async function admin(prefix: string[], ...args: string[]): Promise<Record<string, unknown>> {
  const { code, out, err } = await cli(['admin', ...prefix, ...args, '--json']);
  if (code !== 0) throw new Error(`admin ${args.join(' ')} exited ${code}: ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}

/** The structure of a result: member names in order, leaves by type (ids and times differ). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  }
  return value === null ? 'null' : typeof value;
}

/** The cycle of the four kinds, with the shape of every answer and the facts that must hold. */
async function cycle(prefix: string[], tag: string) {
  const run = (...args: string[]) => admin(prefix, ...args);
  const steps: Record<string, unknown> = {};
  const tenant = await run('tenant', 'create', '--name', `t-${tag}`, '--area', 'na1');
  steps['tenant create'] = tenant;
  steps['tenant list'] = await run('tenant', 'list');
  steps['tenant show'] = await run('tenant', 'show', tenant['id'] as string);
  steps['tenant update'] = await run(
    'tenant',
    'update',
    tenant['id'] as string,
    '--access-key-self-service',
    'off',
  );
  expect(steps['tenant show'], tag).toMatchObject({ access_key_self_service: true });
  expect(steps['tenant update'], tag).toMatchObject({ access_key_self_service: false });
  steps['tenant email-verification'] = await run(
    'tenant',
    'email-verification',
    tenant['id'] as string,
    '--set',
    'on',
  );
  expect(steps['tenant email-verification'], tag).toMatchObject({ email_verification_required: true });
  const user = await run(
    'user',
    'create',
    '--tenant',
    tenant['id'] as string,
    '--email',
    `u-${tag}@example.com`,
  );
  steps['user create'] = user;
  steps['user list'] = await run('user', 'list', '--tenant', tenant['id'] as string);
  steps['user show'] = await run('user', 'show', user['id'] as string);
  const app = await run('app', 'create', '--name', `a-${tag}`, '--tenant', tenant['id'] as string);
  steps['app create'] = app;
  steps['app list'] = await run('app', 'list');
  steps['app show'] = await run('app', 'show', app['client_id'] as string);
  const key = await run('key', 'create', '--user', user['id'] as string);
  steps['key create'] = key;
  steps['key list'] = await run('key', 'list', '--user', user['id'] as string);
  steps['key show'] = await run('key', 'show', key['accessKeyId'] as string);
  steps['key deactivate'] = await run('key', 'deactivate', key['accessKeyId'] as string);
  steps['app deactivate'] = await run('app', 'deactivate', app['client_id'] as string);
  steps['user deactivate'] = await run('user', 'deactivate', user['id'] as string);
  steps['tenant deactivate'] = await run('tenant', 'deactivate', tenant['id'] as string);
  for (const name of ['key', 'app', 'user', 'tenant']) {
    expect(steps[`${name} deactivate`], `${tag}: ${name}`).toMatchObject({ status: 'inactive' });
  }
  expect(app['client_secret'], tag).toEqual(expect.any(String));
  expect(key['accessKeySecret'], tag).toEqual(expect.any(String));
  expect(steps['user list'], tag).toEqual([expect.objectContaining({ id: user['id'] })]);
  expect(steps['key list'], tag).toEqual([expect.objectContaining({ accessKeyId: key['accessKeyId'] })]);
  return { steps, ids: { tenant, user, app, key } };
}

/** An access token of the password grant with the demo app and the given access key. */
async function tokenFor(accessKeyId: string, accessKeySecret: string, scope = 'openid admin') {
  const basic = Buffer.from(`${demo['client_id']}:${demo['client_secret']}`).toString('base64');
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: accessKeyId,
      password: accessKeySecret,
      scope,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('cxauth admin --server', () => {
  it('runs the cycle of tenant, user, app and key with the same fields both ways', async () => {
    const direct = await cycle([], 'direct');
    const remote = await cycle(REMOTE(), 'remote');
    expect(Object.keys(remote.steps)).toEqual(Object.keys(direct.steps));
    for (const step of Object.keys(direct.steps)) {
      expect(shape(remote.steps[step]), step).toEqual(shape(direct.steps[step]));
    }
    // The same record reads the same, as JSON and as text, whichever way it is read.
    for (const [kind, id] of [
      ['tenant', remote.ids.tenant['id']],
      ['user', direct.ids.user['id']],
      ['app', remote.ids.app['client_id']],
      ['key', direct.ids.key['accessKeyId']],
    ] as const) {
      for (const json of [[], ['--json']]) {
        const viaDb = await cli(['admin', kind, 'show', String(id), ...json]);
        const viaApi = await cli(['admin', ...REMOTE(), kind, 'show', String(id), ...json]);
        expect(viaDb.code).toBe(0);
        expect(viaApi, `${kind} show ${json.join('')}`).toEqual(viaDb);
      }
    }
  }, 60_000);

  it('answers a 401 without a token with a message saying to log in (exit 1)', async () => {
    const bare = await cli(['admin', '--server', issuer, 'tenant', 'list']);
    expect(bare.code).toBe(1);
    expect(bare.err).toMatch(/^cxauth admin: .+: log in .*cxauth login .*CXAUTH_ADMIN_TOKEN$/);
    expect(bare.err.split('\n')).toHaveLength(1);
    const bad = await cli(['admin', '--server', issuer, 'tenant', 'list'], {
      CXAUTH_ADMIN_TOKEN: 'not-a-token',
    });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('log in');
  });

  it("confines an Administrator to its tenant: another tenant's user is 404 (exit 1)", async () => {
    const direct = (...args: string[]) => admin([], ...args);
    const other = await direct('tenant', 'create', '--name', 'other-tenant', '--area', 'na1');
    const stranger = await direct(
      'user',
      'create',
      '--tenant',
      other['id'] as string,
      '--email',
      's@example.com',
    );
    const own = await direct('tenant', 'create', '--name', 'own-tenant', '--area', 'na1');
    const administrator = await direct(
      'user',
      'create',
      '--tenant',
      own['id'] as string,
      '--email',
      'a@example.com',
      '--role',
      'Administrator',
    );
    expect(administrator['role']).toMatchObject({ legacyId: 'Administrator' });
    const key = await direct('key', 'create', '--user', administrator['id'] as string);
    const token = await tokenFor(key['accessKeyId'] as string, key['accessKeySecret'] as string);
    const as = { CXAUTH_ADMIN_TOKEN: token };

    const mine = await cli(
      ['admin', '--server', issuer, 'user', 'show', administrator['id'] as string, '--json'],
      as,
    );
    expect(mine.code).toBe(0);
    expect(JSON.parse(mine.out)).toMatchObject({ id: administrator['id'], tenantId: own['id'] });
    const theirs = await cli(['admin', '--server', issuer, 'user', 'show', stranger['id'] as string], as);
    expect(theirs).toMatchObject({ code: 1, err: 'cxauth admin: no such resource' });
    // Its tenant list is its own tenant only; the other tenant's users are not listed either.
    const tenants = await cli(['admin', '--server', issuer, 'tenant', 'list', '--json'], as);
    expect((JSON.parse(tenants.out) as { id: string }[]).map((t) => t.id)).toEqual([own['id']]);
    const listed = await cli(
      ['admin', '--server', issuer, 'user', 'list', '--tenant', other['id'] as string],
      as,
    );
    expect(listed).toMatchObject({ code: 1, err: 'cxauth admin: no such resource' });
    // An import into the other tenant is refused the same way; into its own it works.
    const csv = path.join(dataDir, 'import.csv');
    writeFileSync(csv, 'email,given_name\nimported@example.com,Imported\n');
    const foreign = await cli(
      ['admin', '--server', issuer, 'user', 'import', csv, '--tenant', other['id'] as string],
      as,
    );
    expect(foreign).toMatchObject({ code: 1, err: 'cxauth admin: no such resource' });
    const imported = await cli(
      ['admin', '--server', issuer, 'user', 'import', csv, '--tenant', own['id'] as string, '--json'],
      as,
    );
    expect(imported.code, imported.err).toBe(0);
    expect(JSON.parse(imported.out)).toMatchObject({
      tenantId: own['id'],
      created: 1,
      rows: [{ row: 1, email: 'imported@example.com', outcome: 'created' }],
    });
    expect(await direct('user', 'list', '--tenant', other['id'] as string)).toHaveLength(1);
    // A missing user reads as another tenant's, for an operator too.
    const missing = await cli(['admin', ...REMOTE(), 'user', 'show', 'no-such-user']);
    expect(missing).toMatchObject({ code: 1, err: 'cxauth admin: no such resource' });
  });

  it("keeps an Administrator's CLI off an operator of its tenant, and lets it switch self-service only", async () => {
    const direct = (...args: string[]) => admin([], ...args);
    const own = await direct('tenant', 'create', '--name', 'guarded-tenant', '--area', 'na1');
    const tenantId = own['id'] as string;
    const make = (email: string, ...extra: string[]) =>
      direct('user', 'create', '--tenant', tenantId, '--email', email, ...extra);
    const administrator = await make('boss@example.com', '--role', 'Administrator');
    const operator = await make('ops@example.com', '--operator');
    // Made without --role: an Agent.
    expect(operator['role']).toMatchObject({ legacyId: 'Agent' });
    const opKey = await direct('key', 'create', '--user', operator['id'] as string);
    const key = await direct('key', 'create', '--user', administrator['id'] as string);
    const as = {
      CXAUTH_ADMIN_TOKEN: await tokenFor(key['accessKeyId'] as string, key['accessKeySecret'] as string),
    };
    const remote = (...args: string[]) => cli(['admin', '--server', issuer, ...args], as);

    for (const argv of [
      ['key', 'list', '--user', operator['id'] as string],
      ['key', 'create', '--user', operator['id'] as string],
      ['key', 'show', opKey['accessKeyId'] as string],
      ['key', 'deactivate', opKey['accessKeyId'] as string],
      ['user', 'enroll-totp', operator['id'] as string],
      ['user', 'deactivate', operator['id'] as string],
    ]) {
      const refused = await remote(...argv);
      expect(refused.code, argv.join(' ')).toBe(1);
      expect(refused.err, argv.join(' ')).toMatch(/platform operator/);
      expect(refused.out, argv.join(' ')).not.toMatch(/accessKeySecret|otpauth/);
    }
    expect((await direct('key', 'show', opKey['accessKeyId'] as string))['status']).toBe('active');

    const off = await remote('tenant', 'update', tenantId, '--access-key-self-service', 'off', '--json');
    expect(off.code).toBe(0);
    expect(JSON.parse(off.out)).toMatchObject({ access_key_self_service: false });
    const deactivate = await remote('tenant', 'deactivate', tenantId);
    expect(deactivate.code).toBe(1);
    const bad = await remote('tenant', 'update', tenantId, '--access-key-self-service', 'maybe');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/on or off/);
  });

  it("uses a profile's saved access token, only with the issuer it names", async () => {
    const token = await tokenFor(demo['accessKeyId'] as string, demo['accessKeySecret'] as string);
    const dir = path.join(home, 'cxauth', 'profiles');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(dir, 'ops.json'), JSON.stringify({ issuer, access_token: token }), {
      mode: 0o600,
    });
    const viaProfile = await cli(['admin', '--profile', 'ops', 'area', 'show', 'na1', '--json']);
    expect(viaProfile.code).toBe(0);
    const viaDb = await cli(['admin', 'area', 'show', 'na1', '--json']);
    expect(JSON.parse(viaProfile.out)).toEqual(JSON.parse(viaDb.out));
    const elsewhere = await cli([
      'admin',
      '--profile',
      'ops',
      '--server',
      'http://127.0.0.1:9',
      'tenant',
      'list',
    ]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.err).toContain(`profile ops is for ${issuer}`);
  });

  it('is exit 3 when the server cannot be reached, exit 2 for a verb the API lacks', async () => {
    const port = await freePort();
    const down = await cli(['admin', '--server', `http://127.0.0.1:${port}`, 'tenant', 'list'], {
      CXAUTH_ADMIN_TOKEN: 'x',
    });
    expect(down).toMatchObject({
      code: 3,
      err: `cxauth admin: cannot reach the admin API at http://127.0.0.1:${port}/admin/v1`,
    });
    for (const argv of [['purge'], ['signing-key', 'retire', 'some-kid']]) {
      const refused = await cli(['admin', ...REMOTE(), ...argv]);
      expect(refused.code, argv.join(' ')).toBe(2);
      expect(refused.err).toMatch(/needs direct database access/);
    }
  });

  it('has one table line for every verb of cxauth admin', () => {
    const verbs = Object.entries(KINDS).flatMap(([kind, k]) =>
      Object.keys(k.verbs).map((v) => `${kind} ${v}`),
    );
    expect(Object.keys(ROUTES).sort()).toEqual(verbs.sort());
  });
});
