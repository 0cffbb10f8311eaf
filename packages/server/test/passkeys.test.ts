// Passkeys without a browser: where they are offered (never with an IP address as RP ID), and their
// storage on SQLite and PostgreSQL (several per user, one owner per credential ID, a counter that only
// its expected value advances, challenges spent once).
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Passkey } from '../src/domain/passkey.js';
import { passkeyParty, passkeySupport } from '../src/interaction/passkeys.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, Browser, hiddenInputs, pkce, publicApp } from './support/sign-in.js';
import { passkey } from './support/storage-factories.js';

it('offers passkeys only where the issuer host can be an RP ID', () => {
  expect(passkeyParty('http://127.0.0.1:8080')).toBeUndefined();
  expect(passkeyParty('http://[::1]:8080')).toBeUndefined();
  expect(passkeyParty('http://auth.example.com')).toBeUndefined();
  expect(passkeyParty('http://localhost:8080')).toEqual({
    rpId: 'localhost',
    origin: 'http://localhost:8080',
  });
  expect(passkeyParty('https://auth.example.com/base')).toEqual({
    rpId: 'auth.example.com',
    origin: 'https://auth.example.com',
  });
});

it('says why passkeys are off: an IP address, or plain http off localhost', () => {
  expect(passkeySupport('http://127.0.0.1:8080')).toEqual({ unavailable: 'ip_address' });
  expect(passkeySupport('https://[2001:db8::1]')).toEqual({ unavailable: 'ip_address' });
  expect(passkeySupport('http://auth.example.com')).toEqual({ unavailable: 'not_https' });
  expect(passkeySupport('http://b.localhost:9000')).toEqual({
    rpId: 'b.localhost',
    origin: 'http://b.localhost:9000',
  });
});

it('keeps the sign-in page script-free with an IP address issuer', async () => {
  const svc = await startTestService({ issuer: 'http://127.0.0.1:8080' });
  try {
    const app = await publicApp(svc);
    const page = await svc.app.inject({ url: `/auth/authorize?${authorizeQuery(app, pkce())}` });
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('autocomplete="username"');
    expect(String(page.headers['content-security-policy'])).not.toContain('script-src');
    const off = await svc.app.inject({ url: '/auth/passkeys' });
    expect(off.statusCode).toBe(403);
    // Why, and what the operator changes.
    expect(off.body).toContain('http://127.0.0.1:8080, is an IP address');
    expect(off.body).toContain('CXAUTH_ISSUER=http://localhost:&lt;port&gt;');
  } finally {
    await svc.close();
  }
});

const services: TestService[] = [];
afterAll(async () => {
  for (const s of services) await s.close();
});

describe.each(['sqlite', 'postgres'] as const)('passkey storage on %s', (dialect) => {
  it('stores several per user, one owner per credential, counters and challenges once', async () => {
    const svc = await startTestService({ dialect });
    services.push(svc);
    const user = svc.fixture.user;
    const key = (name: string, credentialId: string): Passkey =>
      passkey(user, { name, credentialId, createdAt: new Date(name === 'Laptop' ? 1000 : 1500) });
    const a = key('Laptop', 'cred-a');
    expect(await svc.storage.passkeys.create(a)).toBe(true);
    expect(await svc.storage.passkeys.create(key('Phone', 'cred-b'))).toBe(true);
    expect(await svc.storage.passkeys.create(key('Copy', 'cred-a'))).toBe(false);
    expect((await svc.storage.passkeys.listForUser(user.id)).map((k) => k.name)).toEqual(['Laptop', 'Phone']);
    const use = { expected: 0, counter: 5, backedUp: true, at: new Date(2000) };
    expect(await svc.storage.passkeys.recordUse(a.id, use)).toBe(true);
    expect(await svc.storage.passkeys.recordUse(a.id, use)).toBe(false);
    const read = await svc.storage.passkeys.byCredentialId('cred-a');
    expect(read).toMatchObject({ counter: 5, backedUp: true, lastUsedAt: new Date(2000) });
    expect(read?.publicKey.equals(a.publicKey)).toBe(true);
    expect(await svc.storage.passkeys.remove('someone-else', a.id)).toBeUndefined();
    expect((await svc.storage.passkeys.remove(user.id, a.id))?.name).toBe('Laptop');
    expect(await svc.storage.passkeys.removeAll(user.id)).toBe(1);
    const challenge = crypto.randomBytes(32);
    expect(await svc.storage.passkeys.spendChallenge(challenge, new Date(5000))).toBe(true);
    expect(await svc.storage.passkeys.spendChallenge(challenge, new Date(5000))).toBe(false);
    expect(await svc.storage.passkeys.purgeChallenges(new Date(6000), 10)).toBe(1);
  }, 60_000);
});

it('throttles passkey assertions per address as passwords are: refused ones delay the address, before verification', async () => {
  const svc = await startTestService({
    issuer: 'http://localhost:8080',
    env: {
      CXAUTH_THROTTLE_ADDRESS_FAILURES: '3',
      CXAUTH_THROTTLE_FAILURES: '100',
      CXAUTH_THROTTLE_IDENTIFIER_FAILURES: '100',
    },
  });
  try {
    const app = await publicApp(svc);
    const attacker = new Browser(svc.app, '127.0.9.1');
    const assertion = () =>
      JSON.stringify({
        id: crypto.randomBytes(16).toString('base64url'),
        rawId: '',
        type: 'public-key',
        response: { clientDataJSON: '', authenticatorData: '', signature: '' },
        clientExtensionResults: {},
      });
    const attempt = async (who: Browser) => {
      const page = await who.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
      expect(page.body).toContain('data-passkey="get"');
      return who.post('/auth/authorize', { ...hiddenInputs(page.body), passkey: assertion() });
    };
    for (let i = 0; i < 3; i++) {
      const res = await attempt(attacker);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('That passkey could not be used here.');
    }
    const audited = async () =>
      (await svc.storage.auditEvents.list({ type: 'passkey.refused', limit: 100 })).length;
    await expect.poll(audited).toBe(3);
    // Past the address allowance: 429, and the assertion is not even looked at (no more audit records).
    const delayed = await attempt(attacker);
    expect(delayed.statusCode).toBe(429);
    expect(delayed.body).not.toContain('That passkey could not be used here.');
    // The same address's passwords wait too; another address is not delayed.
    const page = await attacker.get(`/auth/authorize?${authorizeQuery(app, pkce())}`);
    const password = await attacker.post('/auth/authorize', {
      ...hiddenInputs(page.body),
      username: svc.fixture.user.email,
      password: 'wrong',
    });
    expect(password.statusCode).toBe(429);
    expect((await attempt(new Browser(svc.app, '127.0.9.2'))).statusCode).toBe(200);
    await expect.poll(audited).toBe(4);
  } finally {
    await svc.close();
  }
});
