// Passkeys in the console against `cxauth serve --demo`, whose issuer is http://127.0.0.1:<port>: an
// IP address cannot be a WebAuthn RP ID, so the Passkeys page, the user's panel and the operator's
// dashboard say that passkeys are off, why, and the CXAUTH_ISSUER that turns them on, and offer no
// "Add a passkey"; passkeys already stored are still listed, renamed (trimmed; control characters
// refused in words) and removed. Under http://localhost the Passkeys page links the hosted page that
// adds one instead.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  adminCall,
  adminToken,
  axeViolations,
  type Demo,
  openConsole,
  shoot,
  startDemo,
} from './support/console.js';

const DESKTOP = { width: 1280, height: 800 };
let demo: Demo;
let demoUser: { email: string; password: string };
let demoUserId: string;

beforeAll(async () => {
  demo = await startDemo();
  demoUser = { email: demo.creds['username'] ?? '', password: demo.creds['password'] ?? '' };
  // A passkey of the demo user, as registration on a passkey-ready address would have stored it.
  const db = new Database(path.join(demo.dataDir, 'cxauth.db'));
  try {
    const user = db.prepare('SELECT id, tenant_id FROM users WHERE email = ?').get(demoUser.email) as {
      id: string;
      tenant_id: string;
    };
    demoUserId = user.id;
    db.prepare(
      `INSERT INTO passkeys (id, user_id, tenant_id, credential_id, public_key, counter, name, transports,
        backup_eligible, backed_up, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, 1, 1, ?, NULL)`,
    ).run(
      crypto.randomUUID(),
      user.id,
      user.tenant_id,
      crypto.randomUUID(),
      Buffer.from('a-cose-public-key'),
      'Old laptop',
      JSON.stringify(['internal']),
      Date.now(),
    );
  } finally {
    db.close();
  }
}, 60_000);
afterAll(async () => demo?.close());

it('says passkeys are off under an IP address, and why; lists, renames and removes the stored ones', async () => {
  const port = new URL(demo.issuer).port;
  const discovery = (await (await fetch(`${demo.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  expect(discovery).toMatchObject({ cxauth_passkeys_rp_id: null, cxauth_passkeys_unavailable: 'ip_address' });

  const { page, violations } = await openConsole(demo, DESKTOP, demoUser);
  // The operator's dashboard says so.
  const off = page.getByRole('note').filter({ hasText: 'Passkeys are off on this server' });
  await off.waitFor();
  expect(await off.textContent()).toContain(`CXAUTH_ISSUER=http://localhost:${port}`);
  expect(await off.textContent()).toContain('is an IP address');

  // The person's own Passkeys page: the note, the stored passkey, no way to add one.
  await page.getByRole('link', { name: 'Passkeys', exact: true }).click();
  await page.getByRole('heading', { name: 'Passkeys', level: 1 }).waitFor();
  await off.waitFor();
  expect(await page.getByRole('link', { name: /Add a passkey/ }).count()).toBe(0);
  const name = page.getByRole('textbox', { name: 'Name of passkey Old laptop' });
  await name.waitFor();
  await page.waitForLoadState('networkidle');
  expect(await axeViolations(page)).toEqual([]);
  await shoot(page, 'desktop-passkeys-off');

  // Renamed (trimmed), then a control character refused with the API's words.
  await name.fill('  Work laptop  ');
  await page.getByRole('button', { name: 'Rename passkey Old laptop' }).click();
  await page.getByText('Renamed the passkey to Work laptop.').waitFor();
  const token = await adminToken(demo);
  const listed = await adminCall(demo, token, 'GET', `/users/${demoUserId}/passkeys`);
  expect((listed.body['items'] as { name: string }[]).map((p) => p.name)).toEqual(['Work laptop']);
  await page.getByRole('textbox', { name: 'Name of passkey Work laptop' }).fill('tab\there');
  await page.getByRole('button', { name: 'Rename passkey Work laptop' }).click();
  await page
    .getByText(/control characters/)
    .first()
    .waitFor();

  // The user's panel (Users → the demo user) shows the same note and list.
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  await page
    .getByRole('button', { name: new RegExp(demoUser.email) })
    .first()
    .click();
  const panel = page.getByRole('region', { name: demoUser.email });
  await panel.getByRole('note').filter({ hasText: 'Passkeys are off on this server' }).waitFor();
  await panel.getByRole('table', { name: `Passkeys of ${demoUser.email}` }).waitFor();
  await panel.getByRole('button', { name: 'Remove passkey Work laptop' }).click();
  await panel.getByText('Removed the passkey Work laptop: it no longer signs in.').waitFor();
  await panel.getByText('No passkey yet.').waitFor();
  const after = await adminCall(demo, token, 'GET', `/users/${demoUserId}/passkeys`);
  expect(after.body['items']).toEqual([]);
  // No console error but the refused rename's answer (the browser logs every 4xx).
  expect(violations).toEqual([
    'Failed to load resource: the server responded with a status of 400 (Bad Request)',
  ]);
}, 120_000);

it('offers the hosted page to add a passkey, and no note, where the issuer is localhost', async () => {
  const local = await startDemo({ host: 'localhost' });
  try {
    const who = { email: local.creds['username'] ?? '', password: local.creds['password'] ?? '' };
    const { page } = await openConsole(local, DESKTOP, who);
    await page.getByRole('link', { name: 'Passkeys', exact: true }).click();
    await page.getByRole('heading', { name: 'Passkeys', level: 1 }).waitFor();
    const add = page.getByRole('link', { name: 'Add a passkey on the sign-in page' });
    await add.waitFor();
    expect(await add.getAttribute('href')).toBe('/auth/passkeys');
    await page.getByText('No passkey yet.').waitFor();
    expect(await page.getByText('Passkeys are off on this server').count()).toBe(0);
    // The hosted page it leads to asks for a recent sign-in (the console's is one) and offers the form.
    await add.click();
    await page.getByLabel('Name of the new passkey').waitFor();
  } finally {
    await local.close();
  }
}, 120_000);
