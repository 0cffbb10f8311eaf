// `cxauth admin webhook` in-process against a SQLite file in a temp folder, with a real receiver:
// create (the whsec_ secret printed once), list, show, update, the delivery log of the event a change
// made (stored with that change), redeliver, rotate-secret (a new secret, once), delete; another
// tenant's subscription is "not found" (exit 1); a private target is refused unless allowed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Receiver } from '../../server/test/support/webhook-receiver.js';
import { adminCli } from './support/in-process.js';

const admin = adminCli('cxauth-admin-webhook-', { CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'on' });
let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.close();
});

const cli = (argv: string[], extra: NodeJS.ProcessEnv = {}) => admin.run(argv, { env: extra });
const json = (argv: string[]) => admin.json(...argv);

it('manages a subscription, its secret and its delivery log from the command line', async () => {
  const tenant = await json(['tenant', 'create', '--name', 'hooked', '--area', 'na1']);
  const other = await json(['tenant', 'create', '--name', 'other', '--area', 'na1']);
  const made = await json([
    'webhook',
    'create',
    '--tenant',
    tenant.id,
    '--url',
    receiver.url,
    '--event',
    'user.created',
  ]);
  expect(made).toMatchObject({
    tenantId: tenant.id,
    url: receiver.url,
    event_types: ['user.created'],
    enabled: true,
  });
  expect(made.secret).toMatch(/^whsec_/);

  const listed = await json(['webhook', 'list', '--tenant', tenant.id]);
  expect(listed).toHaveLength(1);
  const shown = await json(['webhook', 'show', made.id, '--tenant', tenant.id]);
  expect(shown).toMatchObject({ id: made.id });
  // The secret is shown by create and rotate-secret only.
  expect(JSON.stringify([listed, shown])).not.toContain(made.secret);
  // Another tenant's (or the platform's) view does not reach it.
  const elsewhere = await cli(['webhook', 'show', made.id, '--tenant', other.id]);
  expect(elsewhere.code).toBe(1);
  expect(elsewhere.err).toContain('no webhook');
  expect((await cli(['webhook', 'delete', made.id])).code).toBe(1);

  // A user created: its event and delivery are stored with the change, no server needed to see it.
  await json(['user', 'create', '--tenant', tenant.id, '--email', 'hooked@example.com']);
  const [delivery] = await json(['webhook', 'deliveries', made.id, '--tenant', tenant.id]);
  expect(delivery).toMatchObject({ event_type: 'user.created', state: 'pending', attempts: 0 });
  expect(
    await json(['webhook', 'redeliver', made.id, '--tenant', tenant.id, '--delivery', delivery.id]),
  ).toMatchObject({
    id: delivery.id,
    redelivered: true,
  });
  expect(
    (await cli(['webhook', 'redeliver', made.id, '--tenant', tenant.id, '--delivery', 'msg_none'])).code,
  ).toBe(1);

  const updated = await json([
    'webhook',
    'update',
    made.id,
    '--tenant',
    tenant.id,
    '--disable',
    '--event',
    '*',
  ]);
  expect(updated).toMatchObject({ enabled: false, event_types: ['*'] });
  const rotated = await json([
    'webhook',
    'rotate-secret',
    made.id,
    '--tenant',
    tenant.id,
    '--overlap-seconds',
    '60',
  ]);
  expect(rotated.secret).toMatch(/^whsec_/);
  expect(rotated.secret).not.toBe(made.secret);
  expect(rotated.previous_secret_expires_at).not.toBeNull();

  const audit = await json(['audit', '--type', 'webhook.*']);
  const types = (audit.events ?? audit).map((e: { type: string }) => e.type);
  expect(types).toEqual(
    expect.arrayContaining(['webhook.created', 'webhook.changed', 'webhook.secret_rotated']),
  );

  await json(['webhook', 'delete', made.id, '--tenant', tenant.id]);
  expect(await json(['webhook', 'list', '--tenant', tenant.id])).toEqual([]);
});

it('refuses a private target unless CXAUTH_WEBHOOK_ALLOW_PRIVATE is on, and an unknown event type', async () => {
  const off = await cli(['webhook', 'create', '--url', receiver.url, '--event', 'user.created'], {
    CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'off',
  });
  expect(off.code).toBe(1);
  expect(off.err).toMatch(/url/);
  const unknown = await cli(['webhook', 'create', '--url', receiver.url, '--event', 'no.such']);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('no.such');
  // Platform-wide (no --tenant): listed apart from any tenant's.
  const platform = await json(['webhook', 'create', '--url', receiver.url, '--event', '*']);
  expect(platform.tenantId).toBeNull();
  expect((await json(['webhook', 'list'])).map((w: { id: string }) => w.id)).toEqual([platform.id]);
});
