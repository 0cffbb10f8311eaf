// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): SHA-1, 6 digits, 30-second steps,
// one step of drift either way, and every step used at most once (the caller stores the last one).
import crypto from 'node:crypto';
import { base32NoPad } from './base32.js';

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD = 30;
/** Steps accepted either side of now (RFC 6238 §5.2 recommends at most one). */
export const TOTP_WINDOW = 1;
/** 160 bits: RFC 4226 §4 R6 asks for at least 128 and recommends 160. */
export const TOTP_SECRET_BYTES = 20;

/** A new TOTP secret. */
export function generateTotpSecret(): Buffer {
  return crypto.randomBytes(TOTP_SECRET_BYTES);
}

/**
 * HOTP value of `counter` (RFC 4226 §5.3: HMAC-SHA-1, dynamic truncation, modulo 10^digits).
 * @see RFC 4226 §5, RFC 6238 §4
 */
export function hotp(secret: Buffer, counter: number, digits: number = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', secret).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step of `now` (RFC 6238 §4.2: T = floor((now - T0) / X), T0 = 0). */
export function totpStep(now: Date, period: number = TOTP_PERIOD): number {
  return Math.floor(now.getTime() / 1000 / period);
}

/**
 * The step whose code `code` is, within ±{@link TOTP_WINDOW} of now and after `lastUsedStep`, or
 * undefined. The caller stores the step returned, so that the code (and any earlier one) is never
 * accepted again (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the same OTP").
 * @see RFC 6238 §5.2
 */
export function matchTotp(
  secret: Buffer,
  code: string,
  now: Date,
  lastUsedStep: number | null,
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = totpStep(now);
  let found: number | undefined;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    // Every candidate is computed and compared in constant time, so timing says nothing of which matched.
    const candidate = Buffer.from(hotp(secret, step));
    if (crypto.timingSafeEqual(candidate, Buffer.from(code)) && found === undefined) found = step;
  }
  if (found === undefined || (lastUsedStep !== null && found <= lastUsedStep)) return undefined;
  return found;
}

/**
 * The provisioning URI authenticator apps read (Google Authenticator's Key Uri Format).
 * @see https://github.com/google/google-authenticator/wiki/Key-Uri-Format
 */
export function otpauthUri(secret: Buffer, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: base32NoPad(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}
