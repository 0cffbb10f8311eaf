// Passkeys without a browser: where they are offered (never with an IP address as RP ID), and their
// storage on SQLite and PostgreSQL (several per user, one owner per credential ID, a counter that only
// its expected value advances, challenges spent once).
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Passkey } from '../src/domain/passkey.js';
import { passkeyParty } from '../src/interaction/passkeys.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, pkce, publicApp } from './support/sign-in.js';

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

it('keeps the sign-in page script-free with an IP address issuer', async () => {
  const svc = await startTestService({ issuer: 'http://127.0.0.1:8080' });
  try {
    const app = await publicApp(svc);
    const page = await svc.app.inject({ url: `/auth/authorize?${authorizeQuery(app, pkce())}` });
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('autocomplete="username"');
    expect(String(page.headers['content-security-policy'])).not.toContain('script-src');
    expect((await svc.app.inject({ url: '/auth/passkeys' })).statusCode).toBe(403);
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
    const key = (name: string, credentialId: string): Passkey => ({
      id: crypto.randomUUID(),
      userId: user.id,
      tenantId: user.tenantId,
      credentialId,
      publicKey: crypto.randomBytes(77),
      counter: 0,
      name,
      transports: ['internal'],
      backupEligible: true,
      backedUp: false,
      createdAt: new Date(name === 'Laptop' ? 1000 : 1500),
      lastUsedAt: null,
    });
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
