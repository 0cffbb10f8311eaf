// The state of one sign-in interaction travels in the form itself, sealed (AES-256-GCM under a key
// derived from the KEK, so any node sharing the database opens it), and the form's CSRF token is an
// HMAC of the interaction's id and the browser cookie: a post without the token, with another
// interaction's, or from another browser gets no code.
import crypto from 'node:crypto';
import { decrypt, encrypt } from '../keys/kek.js';

export interface Sealer {
  seal(value: object): string;
  /** The sealed value, or undefined when it was not sealed by us (or was altered). */
  open(sealed: string): unknown;
  /** The CSRF token of an interaction in a browser. */
  csrf(interactionId: string, browser: string): string;
  checkCsrf(token: string | undefined, interactionId: string, browser: string | undefined): boolean;
}

const derive = (kek: Buffer, info: string) =>
  Buffer.from(crypto.hkdfSync('sha256', kek, Buffer.alloc(0), info, 32));

/**
 * A sealer keyed by `kek` (or by a random key when there is none: forms then work on this node only).
 * @see RFC 5869 (HKDF), OWASP CSRF Prevention Cheat Sheet ("signed double-submit cookie")
 */
export function createSealer(kek: Buffer | undefined): Sealer {
  const root = kek ?? crypto.randomBytes(32);
  const sealKey = derive(root, 'cxauth interaction seal v1');
  const csrfKey = derive(root, 'cxauth csrf v1');
  const csrf = (id: string, browser: string) =>
    crypto.createHmac('sha256', csrfKey).update(`${id}|${browser}`).digest('base64url');
  return {
    seal: (value) =>
      encrypt(sealKey, Buffer.from(JSON.stringify(value)), 'interaction').toString('base64url'),
    open(sealed) {
      if (!/^[A-Za-z0-9_-]{1,8000}$/.test(sealed)) return undefined;
      const blob = Buffer.from(sealed, 'base64url');
      // Only the canonical encoding: trailing bits that decode to nothing are an alteration too.
      if (blob.toString('base64url') !== sealed) return undefined;
      try {
        return JSON.parse(decrypt(sealKey, blob, 'interaction').toString('utf8'));
      } catch {
        return undefined;
      }
    },
    csrf,
    checkCsrf(token, id, browser) {
      if (token === undefined || browser === undefined) return false;
      const expected = Buffer.from(csrf(id, browser));
      const actual = Buffer.from(token);
      return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
    },
  };
}
