// Device cookies: a browser that signed a user in successfully gets a cookie naming that user (by an
// HMAC over a random device id and the lowercased username, under a key derived from the KEK), so its
// later password attempts for that user are not slowed by guesses from elsewhere at the same username.
import crypto from 'node:crypto';

export interface DeviceCookies {
  /** A new device cookie value for `username` (after a successful sign-in). */
  issue(username: string): string;
  /** The device id of `value` when it is a device cookie of `username`, otherwise undefined. */
  verify(value: string | undefined, username: string): string | undefined;
}

/** How long a device cookie lasts, seconds (renewed at every successful sign-in). */
export const DEVICE_COOKIE_MAX_AGE = 180 * 86_400;

const ID_CHARS = 22; // 16 random bytes, base64url
const MAC_CHARS = 43; // HMAC-SHA256, base64url

/**
 * Device cookies keyed by `kek` (or by a random key when there is none: they then hold on this node
 * only, like the sign-in forms).
 * @see OWASP "Slow down online guessing attacks with device cookies", RFC 5869 (HKDF), RFC 2104 (HMAC)
 */
export function createDeviceCookies(kek: Buffer | undefined): DeviceCookies {
  const root = kek ?? crypto.randomBytes(32);
  const key = Buffer.from(crypto.hkdfSync('sha256', root, Buffer.alloc(0), 'cxauth device cookie v1', 32));
  const mac = (id: string, username: string) =>
    crypto.createHmac('sha256', key).update(`${id}|${username.toLowerCase()}`).digest('base64url');
  return {
    issue(username) {
      const id = crypto.randomBytes(16).toString('base64url');
      return `${id}${mac(id, username)}`;
    },
    verify(value, username) {
      if (value?.length !== ID_CHARS + MAC_CHARS) return undefined;
      const id = value.slice(0, ID_CHARS);
      const expected = Buffer.from(mac(id, username));
      const actual = Buffer.from(value.slice(ID_CHARS));
      return actual.length === expected.length && crypto.timingSafeEqual(actual, expected) ? id : undefined;
    },
  };
}
