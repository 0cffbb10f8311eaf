// Webhooks in a real Chromium: the demo operator adds a webhook on the console's Webhooks page, copies
// its secret (shown once), sees a user's creation arrive signed at a receiver (verified with the
// `standardwebhooks` library), reads the delivery log and redelivers with the same webhook-id.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminCall, adminToken, type Demo, openConsole, shoot, startDemo } from './support/console.js';

const received: { headers: Record<string, string>; body: string }[] = [];
let receiver: http.Server;
let url: string;
let demo: Demo;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // The receiver is on this host: the service started below may deliver there.
  process.env['CXAUTH_WEBHOOK_ALLOW_PRIVATE'] = 'on';
  demo = await startDemo();
}, 60_000);
afterAll(async () => {
  await demo?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('nothing arrived in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('adds a webhook, shows its secret once, and lists and redelivers its deliveries', async () => {
  const { page, violations } = await openConsole(
    demo,
    { width: 1280, height: 900 },
    { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' },
  );
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('Event types').fill('user.created');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const shown = page.getByRole('region', { name: 'New signing secret' }).getByLabel('signing secret');
  const secret = await shown.inputValue();
  expect(secret).toMatch(/^whsec_/);
  await shoot(page, 'desktop-webhooks-secret');
  await page.getByRole('button', { name: 'I have saved it' }).click();
  await expect(page.getByRole('region', { name: 'New signing secret' }).count()).resolves.toBe(0);

  const token = await adminToken(demo);
  const tenantId = demo.creds['tenantId'] ?? '';
  const made = await adminCall(demo, token, 'POST', `/tenants/${tenantId}/users`, {
    email: 'hooked@example.com',
  });
  expect(made.status).toBe(201);
  await until(() => received.length >= 1);
  const first = received[0];
  if (!first) throw new Error('nothing received');
  const event = new Webhook(secret).verify(first.body, first.headers) as {
    type: string;
    data: { subject: string };
  };
  expect(event).toMatchObject({ type: 'user.created', data: { subject: `user:${made.body['id']}` } });

  await page.getByRole('button', { name: `Deliveries of ${url}` }).click();
  const log = page.getByRole('table', { name: `Deliveries to ${url}, newest first` });
  await log.getByRole('cell', { name: 'delivered', exact: true }).waitFor();
  await expect(log.getByRole('cell', { name: 'user.created', exact: true }).count()).resolves.toBe(1);
  await shoot(page, 'desktop-webhooks-log');
  await log.getByRole('button', { name: 'Redeliver user.created' }).click();
  await until(() => received.length >= 2);
  expect(received[1]?.headers['webhook-id']).toBe(first.headers['webhook-id']);
  expect(() => new Webhook(secret).verify(received[1]?.body ?? '', received[1]?.headers ?? {})).not.toThrow();
  expect(violations).toEqual([]);
});
