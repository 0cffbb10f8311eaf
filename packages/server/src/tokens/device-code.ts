// Device authorization codes (RFC 8628 §3.2): the device code, a 256-bit random secret only the device
// holds, and the user code a person types at the verification page, short and unambiguous. Both are
// stored only as their keyed hashes.
import crypto from 'node:crypto';
import type { DeviceAuthorization } from '../domain/device-authorization.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';

/**
 * Consonants only: no vowels (no words spelt by accident), no digits, nothing that reads as another
 * character (RFC 8628 §6.1). 20^8 ≈ 2^34.6 codes, with wrong entries throttled per address and a
 * request living ten minutes.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

/** Seconds a device authorization request lives (RFC 8628 §3.2 `expires_in`). */
export const DEVICE_CODE_TTL = 600;
/** The minimum seconds between polls of the token endpoint (RFC 8628 §3.2 `interval`). */
export const POLL_INTERVAL = 5;
/** What each `slow_down` adds to the interval, seconds (RFC 8628 §3.5). */
export const SLOW_DOWN_PENALTY = 5;

/** A user code as shown: `XXXX-XXXX`. */
export function generateUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) {
    code += USER_CODE_ALPHABET[crypto.randomInt(USER_CODE_ALPHABET.length)];
  }
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A user code as typed, in its stored form: case, spaces and dashes do not matter (RFC 8628 §6.1);
 * undefined when it cannot be a user code at all.
 */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** The user code's keyed hash: of its normalized form, so every way of typing it finds it. */
export function hashUserCode(hasher: Hasher, normalized: string): Buffer {
  return hasher.hash(`user-code:${normalized}`);
}

export interface DeviceCodeInput {
  readonly clientId: string;
  readonly scope: string;
  readonly resource?: string | undefined;
  readonly now: Date;
}

/**
 * Mints a device authorization: the two codes for the response, and the record for storage.
 * @see RFC 8628 §3.2, §5.1–5.2
 */
export function mintDeviceAuthorization(
  hasher: Hasher,
  input: DeviceCodeInput,
): { deviceCode: string; userCode: string; record: DeviceAuthorization } {
  const deviceCode = generateToken();
  const userCode = generateUserCode();
  return {
    deviceCode,
    userCode,
    record: {
      id: crypto.randomUUID(),
      deviceCodeHash: hasher.hash(deviceCode),
      userCodeHash: hashUserCode(hasher, normalizeUserCode(userCode) as string),
      clientId: input.clientId,
      scope: input.scope,
      resource: input.resource ?? null,
      status: 'pending',
      interval: POLL_INTERVAL,
      lastPolledAt: null,
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + DEVICE_CODE_TTL * 1000),
      approval: null,
      sessionId: null,
    },
  };
}
