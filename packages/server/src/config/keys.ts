// The key-encryption key (KEK): it encrypts the signing keys at rest and keys the secret hashes.
import { ConfigError } from './env.js';

export interface KeyConfig {
  /** Key-encryption key (32 bytes), or undefined to use/generate `$dataDir/kek` (embedded default only). */
  readonly kek: Buffer | undefined;
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

/**
 * Reads CXAUTH_KEK: a 256-bit AES-GCM key (NIST SP 800-38D). With PostgreSQL it is required, since
 * every node sharing the database must decrypt the same signing keys (`given` is one passed in code).
 */
export function keyConfig(env: NodeJS.ProcessEnv, databaseUrl: string, given?: Buffer): KeyConfig {
  const kek = kekFrom(env['CXAUTH_KEK']);
  if (kek === undefined && !databaseUrl.startsWith('sqlite:') && !given) {
    throw new ConfigError(
      'CXAUTH_KEK is required with PostgreSQL: every node sharing the database must use the same key-encryption key.',
    );
  }
  return Object.freeze({ kek });
}
