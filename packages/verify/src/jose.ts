// The one module that imports jose (STYLE #9): imports RSA public JWKs and checks RS256 signatures.
import { compactVerify, importJWK } from 'jose';

/** A public key ready to verify RS256 signatures. */
export type VerificationKey = CryptoKey;

/** The members of an RSA public JWK this package uses. */
export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
}

/**
 * Imports an RSA public JWK for RS256 (jose refuses moduli under 2048 bits when verifying).
 * @see RFC 7517 §4, RFC 7518 §6.3.1
 */
export async function importRs256Key(jwk: RsaPublicJwk): Promise<VerificationKey> {
  const key = await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'RS256');
  if (key instanceof Uint8Array) throw new TypeError('not an asymmetric key');
  return key;
}

/**
 * Verifies the RS256 signature of a compact JWS and returns its payload bytes. Only RS256 is allowed,
 * whatever the header says, and unknown `crit` extensions are refused.
 * @see RFC 7515 §5.2
 */
export async function verifyRs256(token: string, key: VerificationKey): Promise<Uint8Array> {
  const { payload } = await compactVerify(token, key, { algorithms: ['RS256'] });
  return payload;
}
