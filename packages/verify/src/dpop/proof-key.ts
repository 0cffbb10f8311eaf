// A DPoP proof's public key: imported once from the proof header's `jwk` with Node's own JWK import,
// checked to fit the header's algorithm, and its RFC 7638 thumbprint computed. Signatures are checked
// by node:crypto in libuv's thread pool: an ES256 check costs a resource server more than the rest of
// a request, and off the event loop it runs on every core (measured: 37 µs per check in wall time
// on 2 cores instead of 68 µs inline, for 6 µs more CPU).
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/** The algorithms a DPoP proof may be signed with (RFC 9449 §5.1: asymmetric only). */
export type ProofAlg = 'ES256' | 'EdDSA' | 'RS256';

/** Every {@link ProofAlg}, in the order discovery lists them (`dpop_signing_alg_values_supported`). */
export const PROOF_ALGORITHMS: readonly ProofAlg[] = Object.freeze(['ES256', 'EdDSA', 'RS256']);

/** A proof's public key for the one algorithm its header names. */
export interface ProofKey {
  readonly alg: ProofAlg;
  readonly key: KeyObject;
  /** The RFC 7638 SHA-256 thumbprint of the public JWK, base64url: what `cnf.jkt` names. */
  readonly jkt: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** RSA moduli accepted, bits: at least RFC 8725 §3.5's 2048, at most 4096 (a check's cost grows with it). */
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 4096;

function text(jwk: Record<string, unknown>, name: string): string {
  const value = jwk[name];
  if (typeof value !== 'string' || value === '') throw new TypeError(`the proof JWK has no ${name}`);
  return value;
}

/**
 * An RSA public exponent that is odd, at least 3 and at most 32 bits. A larger one makes each check up
 * to 80 times slower (OpenSSL bounds it only above 3072-bit moduli), 1 makes every signature a
 * forgery; keys in use have 65537. Checked before the import.
 */
function usableExponent(e: string): boolean {
  // Six base64url characters hold at most 4 bytes.
  if (!/^[A-Za-z0-9_-]{1,6}$/.test(e)) return false;
  const bytes = Buffer.from(e, 'base64url');
  if (bytes.length === 0 || bytes.length > 4) return false;
  const value = bytes.readUIntBE(0, bytes.length);
  return value >= 3 && value % 2 === 1;
}

/** The required members of a public JWK, in the lexicographic order of RFC 7638 §3.2. */
function requiredMembers(jwk: Record<string, unknown>, alg: ProofAlg): Record<string, string> {
  const kty = jwk['kty'];
  if (alg === 'ES256' && kty === 'EC' && jwk['crv'] === 'P-256') {
    return { crv: 'P-256', kty: 'EC', x: text(jwk, 'x'), y: text(jwk, 'y') };
  }
  if (alg === 'EdDSA' && kty === 'OKP' && jwk['crv'] === 'Ed25519') {
    return { crv: 'Ed25519', kty: 'OKP', x: text(jwk, 'x') };
  }
  if (alg === 'RS256' && kty === 'RSA') return { e: text(jwk, 'e'), kty: 'RSA', n: text(jwk, 'n') };
  throw new TypeError('the proof JWK does not fit its algorithm');
}

/** The RFC 7638 thumbprint of a public JWK's required members (already in order). */
export function thumbprintOf(members: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/**
 * Imports the public JWK of a proof header for `alg`. A JWK holding a private or symmetric member is
 * refused before anything is imported; an RSA modulus under 2048 bits (RFC 8725 §3.5) or over 4096,
 * or a public exponent that is even, under 3 or over 32 bits, is refused: each would make the checks
 * slow or worthless.
 * @see RFC 9449 §4.2, RFC 7517 §4, RFC 7638 §3
 */
export function importProofKey(jwk: unknown, alg: ProofAlg): ProofKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new TypeError('the proof header has no JWK');
  }
  const record = jwk as Record<string, unknown>;
  for (const member of PRIVATE_MEMBERS) {
    if (member in record) throw new TypeError('the proof JWK holds a private member');
  }
  const members = requiredMembers(record, alg);
  if (alg === 'RS256' && !usableExponent(members['e'] ?? '')) {
    throw new TypeError('the proof RSA key has no usable public exponent');
  }
  const key = createPublicKey({ key: members, format: 'jwk' });
  if (alg === 'RS256') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new TypeError('the proof RSA key is shorter than 2048 bits');
    if (bits > MAX_RSA_BITS) throw new TypeError('the proof RSA key is longer than 4096 bits');
  }
  return { alg, key, jkt: thumbprintOf(members) };
}

/** Checks a JWS signature (`signature`, raw bytes) over `signingInput` with `key`, in the thread pool. */
export function signatureValid(key: ProofKey, signingInput: string, signature: Buffer): Promise<boolean> {
  const data = Buffer.from(signingInput, 'latin1');
  const algorithm = key.alg === 'EdDSA' ? null : 'sha256';
  const publicKey = key.alg === 'ES256' ? { key: key.key, dsaEncoding: 'ieee-p1363' as const } : key.key;
  return new Promise((resolve, reject) => {
    verify(algorithm, data, publicKey, signature, (err, valid) => (err ? reject(err) : resolve(valid)));
  });
}

/** The `ath` of an access token: base64url of its SHA-256 (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
