// Proof Key for Code Exchange: the S256 check of a code_verifier against the stored code_challenge.
import crypto from 'node:crypto';

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). @see RFC 7636 §4.2 */
export function s256(verifier: string): string {
  return crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * True when `verifier` is well-formed and hashes to `challenge` (compared in constant time).
 * @see RFC 7636 §4.6
 */
export function verifyCodeVerifier(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  const actual = Buffer.from(s256(verifier));
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}
