// The one module that imports jose (STYLE #9): imports public JWKs of the algorithms cxauth signs
// with (RS256, ES256, EdDSA/Ed25519) and checks compact JWS signatures.
import { compactVerify, importJWK } from 'jose';

/** The JWS algorithms a verifier accepts: exactly those a cxauth issuer signs with. */
export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

/** A public key ready to verify, bound to the one algorithm it may verify. */
export interface VerificationKey {
  readonly alg: SigningAlg;
  readonly key: CryptoKey;
}

/** The members of a public JWK this package reads (by `kty`). */
export type PublicJwk =
  | { kty: 'RSA'; n: string; e: string; kid: string; alg?: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg?: string }
  | { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg?: string };

/**
 * The one algorithm a JWK may verify, from its `kty` and `crv`. A JWK whose `alg` names another
 * algorithm is unusable (undefined), so an RSA key can never check an ES256 header, nor the reverse.
 * @see RFC 7518 §6.1, RFC 8037 §2, RFC 8725 §3.1
 */
export function algOfJwk(jwk: PublicJwk): SigningAlg | undefined {
  const alg: SigningAlg | undefined =
    jwk.kty === 'RSA'
      ? 'RS256'
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? 'ES256'
        : jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
          ? 'EdDSA'
          : undefined;
  return jwk.alg === undefined || jwk.alg === alg ? alg : undefined;
}

/** Only the public members: a JWK carrying `d` or anything else never reaches the import. */
function publicMembers(jwk: PublicJwk): Record<string, string> {
  if (jwk.kty === 'RSA') return { kty: jwk.kty, n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC') return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

/**
 * Imports a public JWK for the one algorithm its type allows (jose refuses RSA moduli under 2048 bits
 * when verifying).
 * @see RFC 7517 §4, RFC 7518 §6, RFC 8037 §2
 */
export async function importVerificationKey(jwk: PublicJwk): Promise<VerificationKey> {
  const alg = algOfJwk(jwk);
  if (!alg) throw new TypeError('the JWK does not fit an accepted algorithm');
  const key = await importJWK(publicMembers(jwk), alg);
  if (key instanceof Uint8Array) throw new TypeError('not an asymmetric key');
  return { alg, key };
}

/**
 * Verifies the signature of a compact JWS with `key` and returns its payload bytes. Only the key's own
 * algorithm is allowed, whatever the header says, and unknown `crit` extensions are refused.
 * @see RFC 7515 §5.2
 */
export async function verifyJws(token: string, key: VerificationKey): Promise<Uint8Array> {
  const { payload } = await compactVerify(token, key.key, { algorithms: [key.alg] });
  return payload;
}
