// The claims of an access token (RFC 9068 profile plus the reference document's tenant claims).
import crypto from 'node:crypto';
import type { Tenant, User } from '../domain/types.js';

/** What one token issuance knows about who the token is for. */
export interface TokenSubject {
  readonly user: User;
  readonly tenant: Tenant;
}

export interface AccessTokenInput extends TokenSubject {
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly scope: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Lifetime, seconds. */
  readonly ttl: number;
}

/** `sub` of every token we issue: the reference's `user:<userId>` form. */
export function subjectOf(userId: string): string {
  return `user:${userId}`;
}

/**
 * Builds the claims of an access token: `iss`, `sub`, `aud`, `client_id`, `iat`, `exp`, `jti`, `scope`
 * and the tenant, role and profile claims resource servers use without calling back.
 * @see RFC 9068 §2.2
 */
export function accessTokenClaims(input: AccessTokenInput): Record<string, unknown> {
  const { user, tenant } = input;
  return {
    iss: input.issuer,
    sub: subjectOf(user.id),
    aud: input.audience,
    client_id: input.clientId,
    iat: input.now,
    exp: input.now + input.ttl,
    jti: crypto.randomUUID(),
    scope: input.scope,
    tenantId: tenant.id,
    tenant: tenant.name,
    icBUId: tenant.businessUnitId,
    icClusterId: tenant.clusterId,
    area: tenant.area,
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
}
