// The passkey library, loaded at its first use (domain/on-demand.ts), cannot be loaded: its import
// fails with EMFILE while `fault.on` is set. A passkey sent to the sign-in form then answers 503 with
// Retry-After (docs/operations.md "Parts loaded at first use") and spends nothing: once the library
// loads, the same form is checked as if it were sent for the first time.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Application } from '../src/domain/types.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, Browser, hiddenInputs, pkce, publicApp } from './support/sign-in.js';
import { passkey } from './support/storage-factories.js';

const fault = vi.hoisted(() => ({ on: true }));
// A factory runs before the file's imports: it imports what it needs itself.
vi.mock('@simplewebauthn/server', async (importOriginal) => {
  if (fault.on) throw (await import('./support/load-fault.js')).tooManyOpenFiles();
  return importOriginal();
});

let svc: TestService;
let app: Application;
const credentialId = crypto.randomBytes(16).toString('base64url');
beforeAll(async () => {
  svc = await startTestService({ issuer: 'http://localhost:8080' });
  app = await publicApp(svc);
  expect(await svc.storage.passkeys.create(passkey(svc.fixture.user, { credentialId }))).toBe(true);
}, 30_000);
afterAll(async () => svc?.close());

it('answers 503 to a passkey while its library cannot be loaded, and keeps the form usable', async () => {
  const browser = new Browser(svc.app);
  const page = await browser.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
  expect(page.body).toContain('data-passkey="get"');
  // An assertion of the stored passkey whose signature is not one: only the library can tell.
  const sent = {
    ...hiddenInputs(page.body),
    passkey: JSON.stringify({
      id: credentialId,
      rawId: credentialId,
      type: 'public-key',
      response: { clientDataJSON: '', authenticatorData: '', signature: '' },
      clientExtensionResults: {},
    }),
  };
  const refusals = () => svc.storage.auditEvents.list({ type: 'passkey.refused', limit: 10 });

  const broken = await browser.post('/auth/authorize', sent);
  expect(broken.statusCode, broken.body).toBe(503);
  expect(broken.headers['retry-after']).toBe('5');
  expect(broken.body).not.toMatch(/EMFILE|node_modules|simplewebauthn/i);
  expect(await refusals()).toEqual([]);

  fault.on = false;
  // The same form again: its challenge was not spent, so the assertion reaches the library, which
  // refuses it (had the challenge gone, the form would be refused before any check, unaudited).
  const again = await browser.post('/auth/authorize', sent);
  expect(again.statusCode, again.body).toBe(200);
  expect(again.body).toContain('That passkey could not be used here.');
  await expect
    .poll(async () => (await refusals()).map((e) => [e.subject, e.details['reason']]))
    .toEqual([[`user:${svc.fixture.user.id}`, 'invalid_assertion']]);
});
