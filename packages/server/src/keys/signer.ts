// The one place that builds a JWS: compact serialization, the key's own algorithm (RS256, ES256 or
// EdDSA), signed off the event loop.
import crypto, { type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../domain/types.js';

/** The `typ` values we sign: access tokens (RFC 9068 §2.1), id_tokens, the revocation feed (RFC 8417). */
export type JwtType = 'at+jwt' | 'JWT' | 'secevent+jwt';

/** The key that signs, as loaded by keys/signing-keys.ts. */
export interface ActiveKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: KeyObject;
}

/** Node's name of each algorithm's key type, digest and signature encoding. */
const SCHEMES: Record<SigningAlg, { type: string; digest: string | null; ecdsa: boolean }> = {
  RS256: { type: 'rsa', digest: 'sha256', ecdsa: false },
  // JWS carries ECDSA signatures as raw r || s, not DER (RFC 7518 §3.4).
  ES256: { type: 'ec', digest: 'sha256', ecdsa: true },
  // Ed25519 hashes internally (RFC 8032 §5.1.6): no digest is named.
  EdDSA: { type: 'ed25519', digest: null, ecdsa: false },
};

function signAsync(data: Buffer, key: crypto.SignKeyObjectInput | KeyObject, digest: string | null) {
  return new Promise<Buffer>((resolve, reject) => {
    // The callback form runs on the libuv thread pool, so signatures use every core and never block
    // request handling.
    crypto.sign(digest, data, key, (err, signature) => (err ? reject(err) : resolve(signature)));
  });
}

/**
 * Signs JWTs with one key, by the key's own algorithm. The base64url protected header of each `typ`
 * is computed once.
 * @see RFC 7515 §7.1 (compact serialization), RFC 7518 §3.3 (RS256), §3.4 (ES256), RFC 8037 §3.1 (EdDSA)
 */
export class JwsSigner {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly #key: crypto.SignKeyObjectInput | KeyObject;
  readonly #digest: string | null;
  readonly #headers: Record<JwtType, string>;

  constructor(key: ActiveKey) {
    const scheme = SCHEMES[key.alg];
    if (!scheme || key.privateKey.asymmetricKeyType !== scheme.type) {
      throw new Error(`${key.alg} needs a ${scheme?.type ?? 'known'} private key`);
    }
    if (key.alg === 'ES256' && key.privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('ES256 needs a P-256 private key');
    }
    this.kid = key.kid;
    this.alg = key.alg;
    this.#key = scheme.ecdsa ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey;
    this.#digest = scheme.digest;
    const header = (typ: JwtType) =>
      Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid })).toString('base64url');
    this.#headers = {
      'at+jwt': header('at+jwt'),
      JWT: header('JWT'),
      'secevent+jwt': header('secevent+jwt'),
    };
  }

  /** Returns the compact JWS of `claims` with header `{alg, typ, kid}`. */
  async sign(typ: JwtType, claims: object): Promise<string> {
    const input = `${this.#headers[typ]}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = await signAsync(Buffer.from(input), this.#key, this.#digest);
    return `${input}.${signature.toString('base64url')}`;
  }
}
