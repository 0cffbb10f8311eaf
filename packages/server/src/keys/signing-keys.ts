// RS256 signing keys: generation (private key sealed with the KEK), keeping one active, and loading
// them for signing and for the published JWKS.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningKey } from '../domain/types.js';
import type { Storage } from '../storage/contract/index.js';
import { decrypt, encrypt } from './kek.js';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export interface LoadedKeys {
  /** The key that signs: the newest active one. */
  active: { kid: string; privateKey: crypto.KeyObject };
  /** Every stored key, active or not, public members only (RFC 7517 §5). */
  jwks: { keys: PublicJwk[] };
}

/**
 * The JWK thumbprint of an RSA public key: base64url SHA-256 of its required members in
 * lexicographic order, without whitespace.
 * @see RFC 7638 §3.2
 */
export function rsaThumbprint(jwk: { e: string; n: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Generates an RSA 2048 key pair; kid is its RFC 7638 thumbprint; the PKCS#8 DER private key is
 * encrypted under `kek` with the kid as associated data.
 * @see RFC 7518 §3.3 (RS256 needs 2048 bits or more)
 */
export async function generateSigningKey(kek: Buffer, now: Date): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new Error('RSA key export failed');
  const kid = rsaThumbprint({ n: jwk.n, e: jwk.e });
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    kid,
    alg: 'RS256',
    publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e },
    privateKeyEncrypted: encrypt(kek, der, kid),
    status: 'active',
    createdAt: now,
  };
}

/**
 * Creates a signing key when none is active. Nodes racing here create one key between them (the
 * storage serializes the check and the insert), so no node signs with a key another has not loaded.
 */
export async function ensureActiveSigningKey(storage: Storage, kek: Buffer, now: Date): Promise<void> {
  const keys = await storage.signingKeys.list();
  if (keys.some((k) => k.status === 'active')) return;
  // Another node may win the race while this one generates: its key is then the one every node uses.
  await storage.signingKeys.createIfNoneActive(await generateSigningKey(kek, now));
}

/**
 * Loads the newest active key (decrypted) and the JWKS of every stored key. Throws when no key is
 * active (call {@link ensureActiveSigningKey} first) or when the KEK cannot open it.
 */
export async function loadSigningKeys(storage: Storage, kek: Buffer): Promise<LoadedKeys> {
  const keys = await storage.signingKeys.list();
  const newest = keys
    .filter((k) => k.status === 'active')
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (!newest) throw new Error('no active signing key');
  const der = decrypt(kek, newest.privateKeyEncrypted, newest.kid);
  const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return {
    active: { kid: newest.kid, privateKey },
    jwks: {
      keys: keys.map((k) => ({
        kty: 'RSA',
        n: k.publicJwk.n,
        e: k.publicJwk.e,
        kid: k.kid,
        alg: 'RS256',
        use: 'sig',
      })),
    },
  };
}
