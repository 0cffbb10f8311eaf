// `cxauth admin bootstrap` in-process on SQLite files in temp folders: the first operator once (a second
// run refused, exit 1), the password from stdin only, a tenant made only on a database without one,
// TOTP's URI printed once, and nothing left behind by a refused password.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from './support/in-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-bootstrap-'));
  dirs.push(dir);
  return { CXAUTH_DATA_DIR: dir, CXAUTH_DATABASE_URL: `sqlite:${path.join(dir, 'cxauth.db')}` };
}

const cli = (env: NodeJS.ProcessEnv, stdin: string, ...argv: string[]) => runMain(env, argv, stdin);

const PASSWORD = 'correct horse battery staple\n';

describe('cxauth admin bootstrap', () => {
  it('makes the first operator and a tenant for them, once', async () => {
    const env = freshEnv();
    const first = await cli(env, PASSWORD, 'admin', 'bootstrap', '--email', 'op@example.com', '--json');
    expect(first.code, first.err).toBe(0);
    const made = JSON.parse(first.out);
    expect(made).toMatchObject({ email: 'op@example.com', operator: true, tenantCreated: true });
    expect(made).not.toHaveProperty('otpauth_uri');
    expect(first.out).not.toContain('correct horse');
    const users = JSON.parse((await cli(env, '', 'admin', 'user', 'list', '--json')).out);
    expect(users).toEqual([
      expect.objectContaining({
        id: made.userId,
        operator: true,
        role: expect.objectContaining({ legacyId: 'Administrator' }),
      }),
    ]);
    const tenants = JSON.parse((await cli(env, '', 'admin', 'tenant', 'list', '--json')).out);
    expect(tenants).toEqual([expect.objectContaining({ id: made.tenantId, name: 'operators', area: 'na1' })]);

    const again = await cli(env, PASSWORD, 'admin', 'bootstrap', '--email', 'other@example.com');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/an operator exists already: bootstrap runs once/);
    expect(JSON.parse((await cli(env, '', 'admin', 'user', 'list', '--json')).out)).toHaveLength(1);
  });

  it('prints the otpauth URI once with --totp', async () => {
    const r = await cli(freshEnv(), PASSWORD, 'admin', 'bootstrap', '--email', 'op@example.com', '--totp');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/otpauth:\/\/totp\/[^\s]+secret=[A-Z2-7]{32}/);
    expect(r.out).toContain('shown only this once');
  });

  it('needs --tenant on a database with tenants, and uses the one named', async () => {
    const env = freshEnv();
    const tenant = JSON.parse(
      (await cli(env, '', 'admin', 'tenant', 'create', '--name', 'acme', '--area', 'na1', '--json')).out,
    );
    const refused = await cli(env, PASSWORD, 'admin', 'bootstrap', '--email', 'op@example.com');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("name the operator's tenant with --tenant ID");
    const r = await cli(
      env,
      PASSWORD,
      'admin',
      'bootstrap',
      '--email',
      'op@acme.example',
      '--tenant',
      tenant.id,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ tenantId: tenant.id, tenantCreated: false });
  });

  it('refuses a short or missing password and leaves nothing behind; usage errors exit 2', async () => {
    const env = freshEnv();
    const short = await cli(env, 'short\n', 'admin', 'bootstrap', '--email', 'op@example.com');
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/at least 8 characters/);
    // The platform's own minimum holds for the first operator too.
    const strict = { ...env, CXAUTH_PASSWORD_MIN_LENGTH: '40' };
    const underPolicy = await cli(strict, PASSWORD, 'admin', 'bootstrap', '--email', 'op@example.com');
    expect(underPolicy.code).toBe(1);
    expect(underPolicy.err).toMatch(/at least 40 characters/);
    expect((await cli(env, '', 'admin', 'bootstrap', '--email', 'op@example.com')).code).toBe(2);
    expect(JSON.parse((await cli(env, '', 'admin', 'tenant', 'list', '--json')).out)).toEqual([]);
    expect((await cli(env, PASSWORD, 'admin', 'bootstrap')).code).toBe(2);
    expect(
      (await cli(env, PASSWORD, 'admin', 'bootstrap', '--email', 'a@b.example', '--password', 'x')).code,
    ).toBe(2);
    const remote = await cli(
      env,
      PASSWORD,
      'admin',
      '--server',
      'http://127.0.0.1:1',
      'bootstrap',
      '--email',
      'a@b.example',
    );
    expect(remote.code).toBe(2);
    expect(remote.err).toContain('works on the database');
  });
});
