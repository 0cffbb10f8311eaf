// New signing keys of each algorithm: key pair, RFC 7638 kid, private key sealed with the KEK.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { PublicKeyJwk, SigningAlg, SigningKey } from '../domain/types.js';
import { encrypt } from './kek.js';

const generateKeyPair = promisify(crypto.generateKeyPair);

/**
 * The JWK thumbprint of an RSA public key: base64url SHA-256 of its required members in
 * lexicographic order, without whitespace.
 * @see RFC 7638 §3.2
 */
export function rsaThumbprint(jwk: { e: string; n: string }): string {
  return thumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e });
}

/**
 * The JWK thumbprint of any public key this service signs with (RSA, EC P-256, OKP Ed25519).
 * @see RFC 7638 §3.2, RFC 8037 §2
 */
export function thumbprint(jwk: PublicKeyJwk): string {
  const canonical =
    jwk.kty === 'RSA'
      ? JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })
      : jwk.kty === 'EC'
        ? JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y })
        : JSON.stringify({ crv: jwk.crv, kty: 'OKP', x: jwk.x });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

async function keyPair(alg: SigningAlg): Promise<crypto.KeyPairKeyObjectResult> {
  if (alg === 'ES256') return generateKeyPair('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPair('ed25519');
  return generateKeyPair('rsa', { modulusLength: 2048 });
}

function publicJwkOf(alg: SigningAlg, publicKey: crypto.KeyObject): PublicKeyJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  const text = (v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`${alg} public key export failed`);
    return v;
  };
  if (alg === 'RS256') return { kty: 'RSA', n: text(jwk.n), e: text(jwk.e) };
  if (alg === 'ES256') return { kty: 'EC', crv: 'P-256', x: text(jwk.x), y: text(jwk.y) };
  return { kty: 'OKP', crv: 'Ed25519', x: text(jwk.x) };
}

/** When a new key is published and when it may sign (default: at once, for a first key). */
export interface KeySchedule {
  readonly publishAt?: Date;
  readonly signFrom?: Date;
}

/**
 * A new key pair's public JWK, kid and sealed private key, not yet dated. Generated before the unit of
 * work that stores it: an RSA pair takes tens to hundreds of milliseconds, and inside the unit that
 * would hold SQLite's write lock (every other write on the node) as long.
 */
export interface KeyMaterial {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly publicJwk: PublicKeyJwk;
  readonly privateKeyEncrypted: Buffer;
}

/**
 * Generates a key pair for `alg` (RSA 2048, EC P-256 or Ed25519); kid is its RFC 7638 thumbprint;
 * the PKCS#8 DER private key is encrypted under `kek` with the kid as associated data.
 * @see RFC 7518 §3.3 (RS256 needs 2048 bits or more), §3.4 (ES256), RFC 8037 §3.1 (EdDSA)
 */
export async function generateKeyMaterial(kek: Buffer, alg: SigningAlg = 'RS256'): Promise<KeyMaterial> {
  const { publicKey, privateKey } = await keyPair(alg);
  const publicJwk = publicJwkOf(alg, publicKey);
  const kid = thumbprint(publicJwk);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { kid, alg, publicJwk, privateKeyEncrypted: encrypt(kek, der, kid) };
}

/** Key material dated `now`, published and signing by `schedule` (default: at once). */
export function scheduledKey(material: KeyMaterial, now: Date, schedule: KeySchedule = {}): SigningKey {
  const publishAt = schedule.publishAt ?? now;
  return {
    ...material,
    state: (schedule.signFrom ?? publishAt) <= now ? 'signing' : 'published',
    createdAt: now,
    publishAt,
    signFrom: schedule.signFrom ?? publishAt,
    retiredAt: null,
  };
}

/** A new key of `alg` dated `now` (see {@link generateKeyMaterial} and {@link scheduledKey}). */
export async function generateSigningKey(
  kek: Buffer,
  now: Date,
  alg: SigningAlg = 'RS256',
  schedule: KeySchedule = {},
): Promise<SigningKey> {
  return scheduledKey(await generateKeyMaterial(kek, alg), now, schedule);
}
