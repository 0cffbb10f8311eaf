// The key-encryption key (KEK), which encrypts the signing keys at rest and keys the secret hashes,
// and the signing keys: their algorithm, rotation period and the times that drive rotation.
import type { SigningAlg } from '../domain/types.js';
import { ConfigError, integer } from './env.js';

export interface KeyConfig {
  /** Key-encryption key (32 bytes), or undefined to use/generate `$dataDir/kek` (embedded default only). */
  readonly kek: Buffer | undefined;
  /** CXAUTH_SIGNING_ALG: the algorithm of new signing keys (RFC 7518 §3.3, §3.4; RFC 8037 §3.1). */
  readonly signingAlg: SigningAlg;
  /** CXAUTH_KEY_ROTATION_DAYS: a new key is published this many days after the last (0: never). */
  readonly keyRotationDays: number;
  /** `Cache-Control: max-age` of the JWKS, seconds (a new key is published longer than this before it signs). */
  readonly jwksMaxAge: number;
  /** How often every node reads the keys again, milliseconds. */
  readonly keyReloadMs: number;
}

/** The fixed defaults of the key settings; tests shorten the times through loadConfig's overrides. */
export const KEY_DEFAULTS = Object.freeze({
  signingAlg: 'RS256' as SigningAlg,
  keyRotationDays: 90,
  jwksMaxAge: 300,
  keyReloadMs: 60_000,
});

const ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

function algFrom(raw: string | undefined): SigningAlg {
  if (raw === undefined || raw === '') return KEY_DEFAULTS.signingAlg;
  const alg = ALGS.find((a) => a === raw);
  if (!alg) throw new ConfigError(`CXAUTH_SIGNING_ALG must be one of ${ALGS.join(', ')}; it is "${raw}".`);
  return alg;
}

function kekFrom(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw === '') return undefined;
  const kek = Buffer.from(raw, 'base64');
  if (kek.length !== 32 || kek.toString('base64') !== raw.replace(/\s/g, '')) {
    throw new ConfigError(
      'CXAUTH_KEK must be the base64 of exactly 32 random bytes (openssl rand -base64 32).',
    );
  }
  return kek;
}

/** The signing algorithms new keys may use. */
export const SIGNING_ALGS: readonly SigningAlg[] = ALGS;

/**
 * Reads CXAUTH_KEK: a 256-bit AES-GCM key (NIST SP 800-38D), the one place the variable is read
 * (keys/kek.ts falls back to `$dataDir/kek` only when this is unset). Whether PostgreSQL has one is
 * checked on the whole configuration (config.ts), where a KEK passed in code counts too. Also
 * CXAUTH_SIGNING_ALG (RS256, ES256 or EdDSA; default RS256) and CXAUTH_KEY_ROTATION_DAYS (90).
 */
export function keyConfig(env: NodeJS.ProcessEnv): KeyConfig {
  return Object.freeze({
    kek: kekFrom(env['CXAUTH_KEK']),
    signingAlg: algFrom(env['CXAUTH_SIGNING_ALG']),
    keyRotationDays: integer(env, 'CXAUTH_KEY_ROTATION_DAYS', KEY_DEFAULTS.keyRotationDays, 0, 3650),
    jwksMaxAge: KEY_DEFAULTS.jwksMaxAge,
    keyReloadMs: KEY_DEFAULTS.keyReloadMs,
  });
}
