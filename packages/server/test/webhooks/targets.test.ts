// SSRF protection of webhook targets (docs/webhooks.md "Targets"): private, loopback, link-local,
// metadata and other special addresses are refused unless CXAUTH_WEBHOOK_ALLOW_PRIVATE=on, at
// subscription and at each delivery, and the sender connects to the address that was checked.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { webhookConfig } from '../../src/config/webhooks.js';
import { createAudit } from '../../src/observability/audit.js';
import { AdminError } from '../../src/protocol/errors.js';
import type { Storage } from '../../src/storage/contract/index.js';
import { send } from '../../src/webhooks/sender.js';
import { createWebhookAdmin } from '../../src/webhooks/subscriptions.js';
import { isPrivateAddress, resolveTarget, WebhookTargetError } from '../../src/webhooks/targets.js';
import { Receiver } from '../support/webhook-receiver.js';

describe('webhook targets', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '64:ff9b::7f00:1',
    '64:ff9b:1::a00:1',
    '::7f00:1',
    '2002:7f00:1::1',
    '2002:a9fe:a9fe::',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'fec0::1',
    '192.88.99.1',
    '::ffff:0:7f00:1',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '2001:4860:4860::8888'])(
    '%s is public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it.each([
    'http://localhost/hook',
    'http://127.0.0.1:8080/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[2002:7f00:1::]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'https://10.0.0.5/',
  ])('refuses %s unless private targets are allowed', async (url) => {
    await expect(resolveTarget(url, false)).rejects.toThrow(WebhookTargetError);
    await expect(resolveTarget(url, true)).resolves.toMatchObject({ url: new URL(url) });
  });

  it('resolves a public literal without refusing it', async () => {
    await expect(resolveTarget('https://93.184.216.34/hook', false)).resolves.toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(resolveTarget('ftp://93.184.216.34/', false)).rejects.toThrow(/http or https/);
  });

  it('refuses a private target at subscription, with a 400 problem', async () => {
    const admin = createWebhookAdmin({
      storage: {} as Pick<Storage, 'webhooks'>,
      kek: crypto.randomBytes(32),
      clock: () => new Date(),
      audit: createAudit(),
      allowPrivate: false,
    });
    const refused = admin.create(
      't',
      { url: 'http://169.254.169.254/', eventTypes: ['*'] },
      { actor: 'cli' },
    );
    await expect(refused).rejects.toBeInstanceOf(AdminError);
    await expect(refused).rejects.toMatchObject({ status: 400, code: 'invalid_value' });
    await expect(
      admin.create('t', { url: 'https://user:pw@93.184.216.34/', eventTypes: ['*'] }, { actor: 'cli' }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('connects to the checked address, whatever the name would resolve to now (DNS rebinding)', async () => {
    const receiver = await Receiver.start();
    try {
      const port = new URL(receiver.url).port;
      // A name that does not resolve at all: the request still reaches the address that was checked.
      const url = new URL(`http://rebinding.invalid:${port}/hook`);
      const result = await send(
        { url, address: '127.0.0.1', family: 4 },
        { 'webhook-id': 'msg_1' },
        '{}',
        2000,
        new AbortController().signal,
      );
      expect(result).toMatchObject({ status: 204, error: null, aborted: false });
      expect(receiver.received[0]?.headers['host']).toBe(`rebinding.invalid:${port}`);
    } finally {
      await receiver.close();
    }
  });

  it('reads CXAUTH_WEBHOOK_ALLOW_PRIVATE as on or off, default off', () => {
    expect(webhookConfig({}).allowPrivate).toBe(false);
    expect(webhookConfig({ CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'on' }).allowPrivate).toBe(true);
    expect(webhookConfig({ CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'off' }).allowPrivate).toBe(false);
    expect(() => webhookConfig({ CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(/on or off/);
    const config = loadConfig({ CXAUTH_DATABASE_URL: 'sqlite::memory:', CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'on' });
    expect(config.webhooks.allowPrivate).toBe(true);
    expect(Object.isFrozen(config.webhooks)).toBe(true);
  });
});
