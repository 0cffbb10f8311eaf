// `cxauth admin user invite` in-process against a SQLite file in a temp folder: the invitation is
// stored with its role and its mail waits in the outbox for a server's worker; an e-mail that has an
// account in the tenant is refused, and an unknown tenant too (exit 1).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '@cxauth/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let url: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-admin-invite-'));
  url = `sqlite:${path.join(dir, 'admin.db')}`;
  env = { CXAUTH_DATA_DIR: dir, CXAUTH_DATABASE_URL: url };
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

it('invites an e-mail into a tenant with a role and leaves its mail in the outbox', async () => {
  const tenant = await json('tenant', 'create', '--name', 'acme', '--area', 'na1');
  const made = await json(
    'user',
    'invite',
    'New.Person@Example.com',
    '--tenant',
    tenant.id,
    '--role',
    'Supervisor',
  );
  expect(made).toMatchObject({
    tenantId: tenant.id,
    email: 'new.person@example.com',
    role: 'Supervisor',
    state: 'pending',
    invitedBy: 'cli',
  });
  const storage = await openStorage(url);
  try {
    expect(await storage.people.pendingMail()).toBe(1);
    const [invitation] = await storage.people.listInvitations(tenant.id);
    expect(invitation?.id).toBe(made.id);
    const events = await storage.auditEvents.list({ type: 'invitation.created' });
    expect(events.map((e) => e.subject)).toContain(`invitation:${made.id}`);
  } finally {
    await storage.close();
  }
  const agent = await json('user', 'invite', 'agent@example.com', '--tenant', tenant.id);
  expect(agent.role).toBe('Agent');
});

it('refuses an e-mail with an account in the tenant, an unknown tenant and a missing --tenant', async () => {
  const tenant = await json('tenant', 'create', '--name', 'beta', '--area', 'na1');
  await json('user', 'create', '--tenant', tenant.id, '--email', 'taken@example.com');
  const taken = await cli('user', 'invite', 'taken@example.com', '--tenant', tenant.id);
  expect(taken.code).toBe(1);
  expect(taken.err).toContain('already exists');
  expect((await cli('user', 'invite', 'x@example.com', '--tenant', 'nope')).code).toBe(1);
  expect((await cli('user', 'invite', 'x@example.com')).code).not.toBe(0);
});
