// The crypto foundation: the KEK file, sealed blobs, secret hashing, secret formats, signing keys.
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decrypt,
  encrypt,
  generateAccessKeyPart,
  generateClientSecret,
  generateSigningKey,
  generateToken,
  loadKek,
  rsaThumbprint,
  SecretHasher,
} from '../src/index.js';

const dirs: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-crypto-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadKek', () => {
  it('creates $dataDir/kek with mode 0600 and returns the same key on later loads', async () => {
    const dataDir = path.join(tmp(), 'nested', 'data');
    const kek = await loadKek({ kek: undefined, dataDir });
    expect(kek).toHaveLength(32);
    const file = path.join(dataDir, 'kek');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toEqual(kek);
    expect(await loadKek({ kek: undefined, dataDir })).toEqual(kek);
  });

  it('gives every concurrent caller the one key that was written', async () => {
    const dataDir = tmp();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadKek({ kek: undefined, dataDir })));
    for (const k of keys) expect(k).toEqual(keys[0]);
  });

  it('prefers the configured key and rejects a corrupt file', async () => {
    const given = crypto.randomBytes(32);
    const dataDir = tmp();
    expect(await loadKek({ kek: given, dataDir })).toEqual(given);
    writeFileSync(path.join(dataDir, 'kek'), 'not a key\n');
    await expect(loadKek({ kek: undefined, dataDir })).rejects.toThrow(/32 bytes/);
  });
});

describe('encrypt / decrypt', () => {
  const kek = crypto.randomBytes(32);
  const plain = Buffer.from('private key material');

  it('round-trips and never contains the plaintext', () => {
    const blob = encrypt(kek, plain, 'kid-1');
    expect(blob[0]).toBe(1);
    expect(blob.includes(plain)).toBe(false);
    expect(decrypt(kek, blob, 'kid-1')).toEqual(plain);
    expect(encrypt(kek, plain, 'kid-1')).not.toEqual(blob);
  });

  it('detects tampering, a wrong AAD and a wrong KEK', () => {
    const blob = encrypt(kek, plain, 'kid-1');
    for (const i of [1, 14, 30, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i] = (bad[i] ?? 0) ^ 1;
      expect(() => decrypt(kek, bad, 'kid-1')).toThrow(/cannot decrypt/);
    }
    expect(() => decrypt(kek, blob, 'kid-2')).toThrow(/cannot decrypt/);
    expect(() => decrypt(crypto.randomBytes(32), blob, 'kid-1')).toThrow(/cannot decrypt/);
    expect(() => decrypt(kek, blob.subarray(0, 10), 'kid-1')).toThrow(/truncated/);
  });
});

describe('secrets', () => {
  it('access key parts are padded base32 of 32 bytes', () => {
    const parts = new Set(Array.from({ length: 50 }, generateAccessKeyPart));
    expect(parts.size).toBe(50);
    for (const p of parts) expect(p).toMatch(/^[A-Z2-7]{52}====$/);
  });

  it('client secrets and tokens are 32 random bytes, URL-safe', () => {
    for (const s of [generateClientSecret(), generateToken()]) {
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    }
    expect(generateToken()).not.toBe(generateToken());
  });

  it('SecretHasher: keyed, deterministic, verifies only the right secret', () => {
    const kek = crypto.randomBytes(32);
    const hasher = new SecretHasher(kek);
    const h = hasher.hash('s3cret');
    expect(h).toHaveLength(32);
    expect(hasher.hash('s3cret')).toEqual(h);
    expect(h).not.toEqual(crypto.createHash('sha256').update('s3cret').digest());
    expect(new SecretHasher(crypto.randomBytes(32)).hash('s3cret')).not.toEqual(h);
    expect(hasher.verify('s3cret', h)).toBe(true);
    expect(hasher.verify('s3cre', h)).toBe(false);
    expect(hasher.verify('s3cret', h.subarray(0, 31))).toBe(false);
    expect(hasher.verify('s3cret', Buffer.alloc(0))).toBe(false);
  });
});

describe('generateSigningKey', () => {
  it('makes an RS256 key whose kid is its RFC 7638 thumbprint and whose private key is sealed', async () => {
    const kek = crypto.randomBytes(32);
    const now = new Date('2026-01-01T00:00:00Z');
    const key = await generateSigningKey(kek, now);
    expect(key).toMatchObject({
      alg: 'RS256',
      state: 'signing',
      createdAt: now,
      signFrom: now,
      retiredAt: null,
    });
    if (key.publicJwk.kty !== 'RSA') throw new Error('expected an RSA key');
    expect(key.kid).toBe(rsaThumbprint(key.publicJwk));
    const der = decrypt(kek, key.privateKeyEncrypted, key.kid);
    const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const publicKey = crypto.createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' });
    const sig = crypto.sign('sha256', Buffer.from('x'), privateKey);
    expect(crypto.verify('sha256', Buffer.from('x'), publicKey, sig)).toBe(true);
    expect(() => decrypt(kek, key.privateKeyEncrypted, 'other-kid')).toThrow();
  });

  it('computes the RFC 7638 §3.1 example thumbprint', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(rsaThumbprint({ n, e: 'AQAB' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
