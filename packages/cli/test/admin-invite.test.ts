// `cxauth admin user invite` in-process against a SQLite file in a temp folder: the invitation is
// stored with its role and its mail waits in the outbox for a server's worker; an e-mail that has an
// account in the tenant is refused, and an unknown tenant too (exit 1).
import { openStorage } from '@cxauth/server';
import { expect, it } from 'vitest';
import { adminCli } from './support/in-process.js';

const admin = adminCli('cxauth-admin-invite-');
const { cli, json } = admin;

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
  const storage = await openStorage(admin.url);
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
