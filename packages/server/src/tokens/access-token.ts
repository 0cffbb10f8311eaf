// The claims of an access token (RFC 9068 profile plus the reference document's tenant claims), typed
// by the one claims contract of @cxauth/verify, for a user or an application subject.
import crypto from 'node:crypto';
import {
  type AccessTokenClaims,
  type AppAccessTokenClaims,
  appSubject,
  type UserAccessTokenClaims,
  userSubject,
} from '@cxauth/verify';
import type { Application, Tenant, User } from '../domain/types.js';

/** A token issued for a user of a tenant, within one session. */
export interface UserTokenSubject {
  readonly kind: 'user';
  readonly user: User;
  readonly tenant: Tenant;
  /** The session every token of the grant belongs to (the `sid` claim). */
  readonly sessionId: string;
}

/** A token issued for an application itself, on behalf of its tenant (no user, no session). */
export interface AppTokenSubject {
  readonly kind: 'app';
  readonly application: Application;
  readonly tenant: Tenant;
}

/** Who one token issuance is for. */
export type TokenSubject = UserTokenSubject | AppTokenSubject;

export interface AccessTokenInput {
  readonly subject: TokenSubject;
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly scope: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Lifetime, seconds. */
  readonly ttl: number;
}

/**
 * Builds the claims of an access token, in the reference token's order: `iss`, `sub`, `aud`,
 * `client_id`, `iat`, `exp`, `jti`, `scope`, `sid` (a user's session), the tenant claims, and a user's
 * role and profile (an application subject has no `sid`, role or profile).
 * @see RFC 9068 §2.2, docs/verify.md (the claims contract)
 */
export function accessTokenClaims(input: AccessTokenInput): AccessTokenClaims {
  const { subject } = input;
  const { tenant } = subject;
  const head = {
    aud: input.audience,
    client_id: input.clientId,
    iat: input.now,
    exp: input.now + input.ttl,
    jti: crypto.randomUUID(),
    scope: input.scope,
  };
  const tenantClaims = {
    tenantId: tenant.id,
    tenant: tenant.name,
    icBUId: tenant.businessUnitId,
    icClusterId: tenant.clusterId,
    area: tenant.area,
  };
  if (subject.kind === 'app') {
    const claims: AppAccessTokenClaims = {
      iss: input.issuer,
      sub: appSubject(subject.application.clientId),
      ...head,
      ...tenantClaims,
    };
    return claims;
  }
  const { user } = subject;
  const claims: UserAccessTokenClaims = {
    iss: input.issuer,
    sub: userSubject(user.id),
    ...head,
    sid: subject.sessionId,
    ...tenantClaims,
    role: {
      id: user.role.id,
      legacyId: user.role.legacyId,
      lastUpdateTime: user.role.lastUpdateTime,
      secondaryRoles: user.role.secondaryRoles.map((r) => ({ id: r.id, lastUpdateTime: r.lastUpdateTime })),
    },
    name: user.email,
    given_name: user.givenName ?? '',
    family_name: user.familyName ?? '',
  };
  return claims;
}
