// The names of the revocation feed: a digest of what a token carries, so the feed names no session,
// user, tenant or application in clear and a verifier can still match a token against it.
import { createHash } from 'node:crypto';
import type { AccessTokenClaims } from '../claims.js';

/**
 * What a revocation covers: a session (`sid`), a subject (`sub`, `user:<id>` or `app:<client_id>`),
 * every token of a tenant (`tenantId`), every token issued to a client (`client_id`), or one token
 * (`jti`: an application's own token, which has no session, revoked by its application).
 */
export type RevocationKind = 'sid' | 'sub' | 'tenant' | 'client' | 'jti';

/** The kinds in the order a token's digests are listed by {@link tokenDigests}. */
export const REVOCATION_KINDS: readonly RevocationKind[] = Object.freeze([
  'sid',
  'sub',
  'tenant',
  'client',
  'jti',
]);

/**
 * The feed's name for one value: base64url(SHA-256(issuer 0x00 kind 0x00 value)) cut to 128 bits
 * (22 characters). The issuer is in the input, so one value has unrelated names at two issuers; the
 * separators keep (kind, value) pairs from running into each other. Every value named is a random
 * identifier (UUIDs, client ids), so a digest cannot be reversed by guessing (docs/revocation.md).
 * @example
 * revocationDigest('https://auth.example.com', 'sid', claims.sid) // "3q2-7wAAAAAAAAAAAAAAAA"
 * @see FIPS 180-4 (SHA-256), RFC 4648 §5 (base64url)
 */
export function revocationDigest(issuer: string, kind: RevocationKind, value: string): string {
  return createHash('sha256')
    .update(issuer)
    .update('\0')
    .update(kind)
    .update('\0')
    .update(value)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/**
 * The digests a token is matched by: its session (a user token's `sid`), its subject, its tenant, its
 * client and the token itself (`jti`). A `jti` revocation is published among the sessions (refused
 * whatever its `iat`), so a verifier that predates the kind ignores it, as any unknown digest.
 */
export function tokenDigests(issuer: string, claims: AccessTokenClaims): string[] {
  const digests = [
    revocationDigest(issuer, 'sub', claims.sub),
    revocationDigest(issuer, 'tenant', claims.tenantId),
    revocationDigest(issuer, 'client', claims.client_id),
  ];
  if (typeof claims.sid === 'string') digests.unshift(revocationDigest(issuer, 'sid', claims.sid));
  if (typeof claims.jti === 'string') digests.push(revocationDigest(issuer, 'jti', claims.jti));
  return digests;
}
