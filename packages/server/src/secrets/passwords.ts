// Password hashing for people signing in: scrypt (a memory-hard function, RFC 7914) from node:crypto,
// run on the libuv thread pool, stored as a PHC-style string that carries its own parameters, so a
// change of parameters is noticed at the next sign-in and the password hashed again.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LegacyFormat, MAX_HASH_LENGTH, parseLegacyHash, verifyLegacy } from './legacy-hashes.js';

/** scrypt's cost parameters: N = 2^ln, block size r, parallelism p (RFC 7914 §2). */
export interface ScryptParams {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/**
 * 2^15 × 8 × 128 bytes = 32 MiB of memory and some tens of milliseconds of one core per sign-in: the
 * OWASP Password Storage Cheat Sheet's scrypt minimum (N=2^17 ≈ 128 MiB) divided by 4 to fit small
 * nodes, still far beyond what GPUs do cheaply.
 */
export const PASSWORD_PARAMS: ScryptParams = Object.freeze({ ln: 15, r: 8, p: 1 });

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** The longest password accepted (bytes of UTF-8): hashing a megabyte would be a denial of service. */
export const MAX_PASSWORD_BYTES = 1024;
/** NIST SP 800-63B §5.1.1.1: at least 8 characters for a memorized secret chosen by its user. */
export const MIN_PASSWORD_LENGTH = 8;

/** The bounds of a tenant's own minimum length (`password_min_length`, docs/people.md). */
export const TENANT_MIN_LENGTH = Object.freeze({ min: MIN_PASSWORD_LENGTH, max: 64 });

/**
 * The shortest password a person of `tenant` may set: `floor` (CXAUTH_PASSWORD_MIN_LENGTH where the
 * service's config is at hand, else 8), or the tenant's own `password_min_length` when it asks for more.
 * The operator's setting is a floor: a tenant's Administrator may raise it for their people, never
 * lower it below what the platform requires.
 */
export function minLengthFor(
  tenant: { readonly passwordMinLength?: number | undefined } | undefined,
  floor: number = MIN_PASSWORD_LENGTH,
): number {
  return Math.max(tenant?.passwordMinLength ?? floor, floor);
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function scrypt(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  return new Promise((resolve, reject) => {
    crypto.scrypt(
      password.normalize('NFKC'),
      salt,
      length,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

let common: ReadonlySet<string> | undefined;

/**
 * The common and breached passwords shipped with the package (data/common-passwords.txt), read once:
 * NIST SP 800-63B §5.1.1.2 asks that a chosen password be checked against such a list.
 */
export function commonPasswords(): ReadonlySet<string> {
  if (!common) {
    const file = fileURLToPath(new URL('../../data/common-passwords.txt', import.meta.url));
    common = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#')),
    );
  }
  return common;
}

/**
 * A password that may be set: at least `minLength` characters (default 8; CXAUTH_PASSWORD_MIN_LENGTH),
 * not too long for hashing, and not on the common-password list. No composition rules (NIST SP
 * 800-63B §5.1.1.2). Returns why not, or undefined.
 */
export function passwordProblem(password: string, minLength = MIN_PASSWORD_LENGTH): string | undefined {
  if ([...password].length < minLength) {
    return `a password needs at least ${minLength} characters`;
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return 'the password is too long';
  if (commonPasswords().has(password.normalize('NFKC').toLowerCase())) {
    return 'this password is too common (it is on a list of passwords attackers try first)';
  }
  return undefined;
}

/**
 * Hashes a password: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (PHC string format, base64 without padding).
 * @see RFC 7914 (scrypt), https://github.com/P-H-C/phc-string-format
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = PASSWORD_PARAMS,
): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, params, HASH_BYTES);
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** The parameters of a stored hash, or undefined when it is not one of ours. */
function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const m = PHC.exec(stored);
  if (!m) return undefined;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 10 || params.ln > 22 || params.r < 1 || params.p < 1) return undefined;
  return { params, salt: Buffer.from(m[4] as string, 'base64'), hash: Buffer.from(m[5] as string, 'base64') };
}

/** A well-formed hash of a random password, checked when a user has none, so both cost the same. */
let dummy: Promise<string> | undefined;

/**
 * Checks `password` against `stored` (undefined: the user has no password — the same work is done
 * against a dummy hash, so the answer's timing does not tell). `rehash` is true when the stored
 * parameters differ from the current ones.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
  current: ScryptParams = PASSWORD_PARAMS,
): Promise<{ ok: boolean; rehash: boolean }> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return { ok: false, rehash: false };
  dummy ??= hashPassword(crypto.randomBytes(16).toString('hex'), current);
  // An imported hash of another format (legacy-hashes.ts): once it matched, the password is hashed
  // again in the service's own format.
  const legacy = stored === undefined || stored.startsWith('$scrypt$') ? undefined : parseLegacyHash(stored);
  if (legacy && !('problem' in legacy)) {
    // An unknown user costs one scrypt (the dummy): the dummy runs beside the imported format, so a
    // format cheaper than scrypt does not answer faster and tell which e-mails have an account.
    const [ok] = await Promise.all([
      verifyLegacy(password, legacy),
      dummy.then((d) => {
        const p = parse(d);
        return p ? scrypt(password, p.salt, p.params, p.hash.length) : undefined;
      }),
    ]);
    return { ok, rehash: ok };
  }
  const parsed = parse(stored ?? (await dummy)) ?? parse(await dummy);
  if (!parsed) return { ok: false, rehash: false };
  const actual = await scrypt(password, parsed.salt, parsed.params, parsed.hash.length);
  const ok =
    stored !== undefined &&
    actual.length === parsed.hash.length &&
    crypto.timingSafeEqual(actual, parsed.hash);
  const p = parsed.params;
  return { ok, rehash: ok && (p.ln !== current.ln || p.r !== current.r || p.p !== current.p) };
}

/** The bounds of an imported scrypt hash: at most 256 MiB of memory and 1 GiB of total work. */
const SCRYPT_IMPORT_LIMITS = { maxMemory: 256 * 1024 * 1024, maxWork: 1024 * 1024 * 1024 } as const;

/** The formats an imported password hash may have (docs/people.md, "Bulk import"). */
export type ImportedHashFormat = 'scrypt' | LegacyFormat;

/**
 * Whether an imported password hash is one that sign-in can verify, with parameters within bounds:
 * its format, or why not (the reason never quotes the hash, which is a secret).
 */
export function importableHash(encoded: string): { format: ImportedHashFormat } | { problem: string } {
  if (encoded.length > MAX_HASH_LENGTH) return { problem: 'the hash is too long' };
  if (encoded.startsWith('$scrypt$')) {
    const parsed = parse(encoded);
    if (!parsed) {
      return { problem: 'scrypt hashes must be $scrypt$ln=<10..22>,r=<r>,p=<p>$<salt>$<hash> (base64)' };
    }
    const { ln, r, p } = parsed.params;
    const memory = 128 * 2 ** ln * r;
    if (memory > SCRYPT_IMPORT_LIMITS.maxMemory || memory * p > SCRYPT_IMPORT_LIMITS.maxWork) {
      return { problem: `scrypt ln=${ln},r=${r},p=${p} needs more than 256 MiB or 1 GiB of work` };
    }
    if (parsed.salt.length < 8) return { problem: 'scrypt salt must be at least 8 bytes' };
    if (parsed.hash.length < 16 || parsed.hash.length > 64)
      return { problem: 'scrypt hash must be 16 to 64 bytes' };
    return { format: 'scrypt' };
  }
  const legacy = parseLegacyHash(encoded);
  if (!legacy) {
    return {
      problem: 'not a recognised hash (bcrypt, scrypt, argon2id, pbkdf2-sha256 or Django pbkdf2_sha256)',
    };
  }
  return 'problem' in legacy ? legacy : { format: legacy.format };
}
