// `cxauth admin scim-token` in-process against a SQLite file in a temp folder: create prints the token
// once, list never shows it, revoke marks it revoked; another tenant's token id is unknown (exit 1).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-admin-scim-'));
  env = { CXAUTH_DATA_DIR: dir, CXAUTH_DATABASE_URL: `sqlite:${path.join(dir, 'admin.db')}` };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => '' };
  const code = await main(['admin', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function json(...argv: string[]) {
  const r = await cli(...argv, '--json');
  expect(r.err, r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

it('creates a SCIM token once, lists it without its secret, and revokes it', async () => {
  const tenant = await json('tenant', 'create', '--name', 'acme', '--area', 'na1');
  const other = await json('tenant', 'create', '--name', 'other', '--area', 'na1');
  const made = await json('scim-token', 'create', '--tenant', tenant.id, '--name', 'Okta');
  expect(made).toMatchObject({ tenantId: tenant.id, name: 'Okta', revokedAt: null });
  expect(made.token).toMatch(/^cxscim\./);
  const secret = String(made.token).split('.')[2] ?? '';
  const list = await cli('scim-token', 'list', '--tenant', tenant.id, '--json');
  expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ id: made.id, name: 'Okta' })]);
  expect(list.out).not.toContain(secret);
  const unknown = await cli('scim-token', 'revoke', made.id, '--tenant', other.id);
  expect(unknown.code).toBe(1);
  const revoked = await json('scim-token', 'revoke', made.id, '--tenant', tenant.id);
  expect(revoked.revokedAt).not.toBeNull();
});
