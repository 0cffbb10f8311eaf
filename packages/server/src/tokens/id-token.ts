// The claims of an OpenID Connect id_token, bound to its access token by `at_hash`.
import crypto from 'node:crypto';
import { userSubject } from '@cxauth/verify';
import type { UserTokenSubject } from './access-token.js';

/** Only a user has an id_token: an application subject authenticates no one (OIDC Core §2). */
export interface IdTokenInput {
  readonly subject: UserTokenSubject;
  readonly issuer: string;
  readonly clientId: string;
  readonly accessToken: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** When the user authenticated (the session's start), seconds since the epoch. */
  readonly authTime: number;
  readonly nonce?: string | undefined;
  readonly amr?: readonly string[] | undefined;
  /** The identity provider of a federated sign-in (docs/sso.md). */
  readonly idp?: string | undefined;
  readonly ttl: number;
}

/**
 * `at_hash`: base64url of the left half of the SHA-256 of the access token (RS256 hashes with SHA-256).
 * @see OpenID Connect Core 1.0 §3.1.3.6
 */
export function atHash(accessToken: string): string {
  return crypto
    .createHash('sha256')
    .update(accessToken, 'ascii')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/**
 * Builds id_token claims: `aud` is the client, `auth_time` when the user authenticated, `sid` the
 * session of the access token beside it, `nonce` and `amr` from a sign-in.
 * @see OpenID Connect Core 1.0 §2, OpenID Connect Front-Channel Logout 1.0 §3 (sid)
 */
export function idTokenClaims(input: IdTokenInput): Record<string, unknown> {
  const { user, tenant, sessionId } = input.subject;
  return {
    iss: input.issuer,
    sub: userSubject(user.id),
    aud: input.clientId,
    iat: input.now,
    exp: input.now + input.ttl,
    auth_time: input.authTime,
    at_hash: atHash(input.accessToken),
    sid: sessionId,
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    ...(input.amr === undefined || input.amr.length === 0 ? {} : { amr: [...input.amr] }),
    ...(input.idp === undefined ? {} : { idp: input.idp }),
    tenantId: tenant.id,
    name: user.email,
    // OIDC Core §5.1: whether the person showed they read mail at that address.
    email_verified: user.emailVerified === true,
    given_name: user.givenName ?? '',
    family_name: user.familyName ?? '',
  };
}
