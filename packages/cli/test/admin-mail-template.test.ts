// `cxauth admin mail-template` and `tenant password-policy` in-process against a SQLite file in a temp
// folder: a tenant made with its own minimum length, the policy changed and cleared; a template listed,
// set from files, shown, previewed with sample values and reset; an unknown placeholder is refused with
// its name (exit 1), and another tenant's template stays the default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-admin-mail-template-'));
  env = { CXAUTH_DATA_DIR: dir, CXAUTH_DATABASE_URL: `sqlite:${path.join(dir, 'admin.db')}` };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => '' };
  const code = await main(['admin', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function json(argv: string[]) {
  const r = await cli([...argv, '--json']);
  expect(r.err, r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

it("sets a tenant's password policy at creation and later, within 8 to 64", async () => {
  const tenant = await json([
    'tenant',
    'create',
    '--name',
    'strict',
    '--area',
    'na1',
    '--password-min-length',
    '12',
  ]);
  expect(tenant.password_min_length).toBe(12);
  expect(
    (await json(['tenant', 'password-policy', tenant.id, '--min-length', '16'])).password_min_length,
  ).toBe(16);
  const bad = await cli(['tenant', 'password-policy', tenant.id, '--min-length', '7']);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('from 8 to 64');
  expect((await json(['tenant', 'password-policy', tenant.id, '--default'])).password_min_length).toBeNull();
  const user = await json(['user', 'create', '--tenant', tenant.id, '--email', 'p@example.com']);
  expect(
    (await json(['tenant', 'password-policy', tenant.id, '--min-length', '20'])).password_min_length,
  ).toBe(20);
  const short = await main(['admin', 'user', 'set-password', user.id], {
    env,
    stdout: () => undefined,
    stderr: () => undefined,
    readStdin: async () => 'nineteen characters',
  });
  expect(short).toBe(1);
});

it('lists, sets from files, shows, previews and resets a template', async () => {
  const tenant = await json(['tenant', 'create', '--name', 'branded', '--area', 'na1']);
  const other = await json(['tenant', 'create', '--name', 'plain', '--area', 'na1']);
  const listed = await cli(['mail-template', 'list', '--tenant', tenant.id]);
  expect(listed.code).toBe(0);
  expect(listed.out).toContain('password_reset  default  {{link}} {{email}} {{tenant}} {{expires}}');

  const text = path.join(dir, 'reset.txt');
  const html = path.join(dir, 'reset.html');
  writeFileSync(text, 'Hello {{email}} of {{tenant}}: {{link}} ({{expires}})\n');
  writeFileSync(html, '<p>Hello {{email}}: <a href="{{link}}">reset</a></p>\n');
  const set = await json([
    'mail-template',
    'set',
    'password_reset',
    '--tenant',
    tenant.id,
    '--subject',
    'Reset at {{tenant}}',
    '--text-file',
    text,
    '--html-file',
    html,
  ]);
  expect(set).toMatchObject({ customised: true, subject: 'Reset at {{tenant}}' });
  expect(set.text).toBe('Hello {{email}} of {{tenant}}: {{link}} ({{expires}})\n');
  expect((await json(['mail-template', 'show', 'password_reset', '--tenant', other.id])).customised).toBe(
    false,
  );

  const preview = await json(['mail-template', 'preview', 'password_reset', '--tenant', tenant.id]);
  expect(preview.subject).toBe('Reset at branded');
  expect(preview.text).toContain('Hello person@example.com of branded: https://auth.example.com/');

  const bad = path.join(dir, 'bad.txt');
  writeFileSync(bad, 'Hi {{first_name}} {{link}}');
  const refused = await cli([
    'mail-template',
    'set',
    'password_reset',
    '--tenant',
    tenant.id,
    '--text-file',
    bad,
  ]);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('unknown placeholders {{first_name}}');

  const reset = await json(['mail-template', 'reset', 'password_reset', '--tenant', tenant.id]);
  expect(reset).toMatchObject({ customised: false, subject: 'Reset your password' });
  const unknown = await cli(['mail-template', 'show', 'welcome', '--tenant', tenant.id]);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('no mail template named "welcome"');
});
