// Generation of every secret the service hands out, and their keyed hashing: secrets are stored only
// as HMAC-SHA256 under a key derived from the KEK, and compared in constant time.
import crypto from 'node:crypto';
import { base32 } from './base32.js';
import type { Hasher } from './hasher.js';

/**
 * An access-key id or secret: base32 of 32 random bytes, padded (56 characters ending `====`), as in
 * the reference document's examples.
 * @see RFC 4648 §6
 */
export function generateAccessKeyPart(): string {
  return base32(crypto.randomBytes(32));
}

/** A client secret: 256 random bits, base64url (URL-safe, no padding). */
export function generateClientSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * An opaque token (refresh tokens): base64url of 32 random bytes.
 * @see RFC 6749 §10.10 (credential guessing)
 */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * Hashes high-entropy secrets for storage: HMAC-SHA256 under a key derived from the KEK with HKDF.
 * A slow password hash would add nothing here (the secrets are 256-bit random) and cost every request;
 * the key means a stolen database alone does not even allow offline confirmation of a guessed secret.
 * @see RFC 5869 (HKDF), RFC 2104 (HMAC)
 */
export class SecretHasher implements Hasher {
  readonly #key: Buffer;

  constructor(kek: Buffer) {
    this.#key = Buffer.from(crypto.hkdfSync('sha256', kek, Buffer.alloc(0), 'cxauth secret hash v1', 32));
  }

  hash(secret: string): Buffer {
    return crypto.createHmac('sha256', this.#key).update(secret, 'utf8').digest();
  }

  /** True when `secret` hashes to `hash`; constant time in the secret. */
  verify(secret: string, hash: Buffer): boolean {
    const actual = this.hash(secret);
    if (actual.length !== hash.length) return false;
    return crypto.timingSafeEqual(actual, hash);
  }
}
