// DPoP proofs as a client signs them (jose), for the resource-server tests.
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** The tests' clock start, seconds. */
export const T0 = 1_750_000_000;
/** The URL the proofs name by default. */
export const URL_ = 'https://api.example.com/inContactAPI/services/v25.0/server-time';

export interface ProofKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
  alg: 'ES256' | 'EdDSA' | 'RS256';
}

export async function proofKey(alg: ProofKey['alg'] = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256'), alg };
}

/** The `ath` of a token (RFC 9449 §4.2). */
export const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A proof of `key` for `GET URL_` at T0 with a new jti, `claims` and `header` over those. */
export async function proof(
  key: ProofKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: T0, ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .sign(key.privateKey);
}
