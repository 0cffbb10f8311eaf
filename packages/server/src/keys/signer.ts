// The one place that builds a JWS: compact serialization, RS256, signed off the event loop.
import crypto, { type KeyObject } from 'node:crypto';

/** The `typ` values we sign: access tokens (RFC 9068 §2.1), id_tokens, the revocation feed (RFC 8417). */
export type JwtType = 'at+jwt' | 'JWT' | 'secevent+jwt';

/** The key that signs, as loaded by keys/signing-keys.ts. */
export interface ActiveKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

function signAsync(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The callback form runs on the libuv thread pool, so signatures use every core and never block
    // request handling.
    crypto.sign('sha256', data, key, (err, signature) => (err ? reject(err) : resolve(signature)));
  });
}

/**
 * Signs JWTs with one RS256 key. The base64url protected header of each `typ` is computed once.
 * @see RFC 7515 §7.1 (compact serialization), RFC 7518 §3.3 (RS256)
 */
export class JwsSigner {
  readonly kid: string;
  readonly #key: KeyObject;
  readonly #headers: Record<JwtType, string>;

  constructor(key: ActiveKey) {
    if (key.privateKey.asymmetricKeyType !== 'rsa') throw new Error('RS256 needs an RSA private key');
    this.kid = key.kid;
    this.#key = key.privateKey;
    const header = (typ: JwtType) =>
      Buffer.from(JSON.stringify({ alg: 'RS256', typ, kid: key.kid })).toString('base64url');
    this.#headers = {
      'at+jwt': header('at+jwt'),
      JWT: header('JWT'),
      'secevent+jwt': header('secevent+jwt'),
    };
  }

  /** Returns the compact JWS of `claims` with header `{alg: RS256, typ, kid}`. */
  async sign(typ: JwtType, claims: object): Promise<string> {
    const input = `${this.#headers[typ]}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = await signAsync(Buffer.from(input), this.#key);
    return `${input}.${signature.toString('base64url')}`;
  }
}
