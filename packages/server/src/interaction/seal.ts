// The state of one sign-in interaction travels in the form itself, sealed (AES-256-GCM under a key
// derived from the KEK, so any node sharing the database opens it), and the form's CSRF token is an
// HMAC of the interaction's id and the browser cookie: a post without the token, with another
// interaction's, or from another browser gets no code. Each form is sealed for its purpose (the
// purpose is the cipher's associated data): one form's fields never open as another's.
import crypto from 'node:crypto';
import { decrypt, encrypt } from '../keys/kek.js';

/** What a sealed form is for: each opens only as what it was sealed as. */
export type SealPurpose =
  | 'sign-in'
  | 'second-factor'
  | 'consent'
  | 'logout'
  | 'device-code'
  | 'device-confirm'
  | 'identifier'
  | 'federation'
  | 'saml-ticket'
  | 'password-reset'
  | 'password-reset-confirm'
  | 'invitation'
  | 'passkeys'
  | 'email-verification'
  | 'email-verification-confirm';

export interface Sealer {
  seal(purpose: SealPurpose, value: object): string;
  /**
   * The sealed value, or undefined when it was not sealed by us for `purpose` (or was altered, or is
   * not a JSON object).
   */
  open(purpose: SealPurpose, sealed: string): Record<string, unknown> | undefined;
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
    seal: (purpose, value) =>
      encrypt(sealKey, Buffer.from(JSON.stringify(value)), `interaction:${purpose}`).toString('base64url'),
    open(purpose, sealed) {
      if (typeof sealed !== 'string' || !/^[A-Za-z0-9_-]{1,8000}$/.test(sealed)) return undefined;
      const blob = Buffer.from(sealed, 'base64url');
      // Only the canonical encoding: trailing bits that decode to nothing are an alteration too.
      if (blob.toString('base64url') !== sealed) return undefined;
      try {
        const value: unknown = JSON.parse(decrypt(sealKey, blob, `interaction:${purpose}`).toString('utf8'));
        return typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : undefined;
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
