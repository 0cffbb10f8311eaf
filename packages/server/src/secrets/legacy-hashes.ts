// Password hashes imported from another system (docs/people.md, "Bulk import"), in their standard string
// formats: bcrypt, argon2id and PBKDF2-SHA256 (PHC/passlib and Django). Each is verified with a
// maintained implementation and compared in constant time; the caller then hashes the password again in
// the service's own format (passwords.ts). scrypt is not here: its PHC string is the service's own.
// Cost parameters are bounded, so that neither an import nor a sign-in can be made to spend a second
// of CPU or a gigabyte of memory on one password.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { type Algorithm, hashRaw, type Version } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';

/** The formats this module reads (scrypt is read by passwords.ts). */
export type LegacyFormat = 'bcrypt' | 'argon2id' | 'pbkdf2-sha256' | 'django-pbkdf2-sha256';

/** A parsed legacy hash: its format and the parameters verification needs. */
export type LegacyHash =
  | { readonly format: 'bcrypt'; readonly encoded: string; readonly cost: number }
  | {
      readonly format: 'argon2id';
      readonly m: number;
      readonly t: number;
      readonly p: number;
      readonly salt: Buffer;
      readonly hash: Buffer;
    }
  | {
      readonly format: 'pbkdf2-sha256' | 'django-pbkdf2-sha256';
      readonly iterations: number;
      readonly salt: Buffer;
      readonly hash: Buffer;
    };

/** The bounds of each format's parameters (docs/people.md lists them). */
export const LEGACY_LIMITS = Object.freeze({
  /** bcrypt cost 2^4 to 2^14 rounds: cost 14 is about a second of one core. */
  bcryptCost: { min: 4, max: 14 },
  /** argon2id memory (KiB), passes and lanes: at most 256 MiB, 10 passes, 16 lanes. */
  argon2: { maxMemoryKiB: 256 * 1024, maxTime: 10, maxParallelism: 16 },
  /** PBKDF2 iterations: fewer than 1,000 is no protection, more than 3,000,000 is seconds of CPU. */
  pbkdf2Iterations: { min: 1_000, max: 3_000_000 },
});

/** The longest hash string read at all. */
export const MAX_HASH_LENGTH = 512;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const ARGON2ID =
  /^\$argon2id\$v=(\d+)\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
/** passlib writes the rounds bare and base64 with `.` for `+` ("ab64"); the PHC form has `i=`. */
const PBKDF2 = /^\$pbkdf2-sha256\$(?:i=)?(\d{1,10})\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
/** Django: `pbkdf2_sha256$<iterations>$<salt as text>$<base64 of the hash>`. */
const DJANGO = /^pbkdf2_sha256\$(\d{1,10})\$([^$\s]{1,128})\$([A-Za-z0-9+/]+={0,2})$/;

const b64 = (s: string) => Buffer.from(s.replace(/\./g, '+'), 'base64');

/** A legacy hash's parameters, or why it is not accepted (no part of the hash is in the reason). */
export function parseLegacyHash(encoded: string): LegacyHash | { problem: string } | undefined {
  if (encoded.length > MAX_HASH_LENGTH) return { problem: 'the hash is too long' };
  let m = BCRYPT.exec(encoded);
  if (m) {
    const cost = Number(m[1]);
    const { min, max } = LEGACY_LIMITS.bcryptCost;
    if (cost < min || cost > max) return { problem: `bcrypt cost ${cost} is outside ${min} to ${max}` };
    return { format: 'bcrypt', encoded, cost };
  }
  m = ARGON2ID.exec(encoded);
  if (m) {
    if (m[1] !== '19') return { problem: 'only argon2id version 19 (v=19) is accepted' };
    const [mem, t, p] = [Number(m[2]), Number(m[3]), Number(m[4])];
    const salt = b64(m[5] as string);
    const hash = b64(m[6] as string);
    const limits = LEGACY_LIMITS.argon2;
    if (p < 1 || p > limits.maxParallelism)
      return { problem: `argon2id p=${p} is outside 1 to ${limits.maxParallelism}` };
    if (mem < 8 * p || mem > limits.maxMemoryKiB)
      return { problem: `argon2id m=${mem} is outside ${8 * p} to ${limits.maxMemoryKiB} KiB` };
    if (t < 1 || t > limits.maxTime) return { problem: `argon2id t=${t} is outside 1 to ${limits.maxTime}` };
    if (salt.length < 8 || salt.length > 64) return { problem: 'argon2id salt must be 8 to 64 bytes' };
    if (hash.length < 16 || hash.length > 64) return { problem: 'argon2id hash must be 16 to 64 bytes' };
    return { format: 'argon2id', m: mem, t, p, salt, hash };
  }
  const pbkdf2 = PBKDF2.exec(encoded);
  const django = pbkdf2 ? null : DJANGO.exec(encoded);
  const found = pbkdf2 ?? django;
  if (found) {
    const format = pbkdf2 ? 'pbkdf2-sha256' : 'django-pbkdf2-sha256';
    const iterations = Number(found[1]);
    const { min, max } = LEGACY_LIMITS.pbkdf2Iterations;
    if (iterations < min || iterations > max) {
      return { problem: `PBKDF2 iterations ${iterations} are outside ${min} to ${max}` };
    }
    // Django's salt is text, used as its UTF-8 bytes; passlib's is base64 of the bytes.
    const salt = pbkdf2 ? b64(found[2] as string) : Buffer.from(found[2] as string, 'utf8');
    const hash = b64(found[3] as string);
    if (salt.length < 1) return { problem: 'PBKDF2 salt is empty' };
    if (hash.length < 16 || hash.length > 64) return { problem: 'PBKDF2 hash must be 16 to 64 bytes' };
    return { format, iterations, salt, hash };
  }
  return undefined;
}

const pbkdf2 = promisify(crypto.pbkdf2);
const ARGON2ID_ALGORITHM = 2 as Algorithm; // Algorithm.Argon2id (a const enum)
const ARGON2_V19 = 1 as Version; // Version.V0x13

const equal = (a: Buffer, b: Buffer) => a.length === b.length && crypto.timingSafeEqual(a, b);

/**
 * Whether `password` (its UTF-8 bytes, not normalized: as the system that made the hash took them)
 * matches a legacy hash. bcrypt's comparison is the library's, in constant time; the others compute
 * the hash and compare with `timingSafeEqual`. All run off the event loop (the libuv thread pool).
 */
export async function verifyLegacy(password: string, legacy: LegacyHash): Promise<boolean> {
  switch (legacy.format) {
    case 'bcrypt':
      return bcryptVerify(password, legacy.encoded).catch(() => false);
    case 'argon2id': {
      const actual = await hashRaw(password, {
        algorithm: ARGON2ID_ALGORITHM,
        version: ARGON2_V19,
        memoryCost: legacy.m,
        timeCost: legacy.t,
        parallelism: legacy.p,
        outputLen: legacy.hash.length,
        salt: legacy.salt,
      });
      return equal(actual, legacy.hash);
    }
    case 'pbkdf2-sha256':
    case 'django-pbkdf2-sha256': {
      const actual = await pbkdf2(password, legacy.salt, legacy.iterations, legacy.hash.length, 'sha256');
      return equal(actual, legacy.hash);
    }
  }
}
