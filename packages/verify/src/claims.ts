// The access-token claims this package returns (the cxauth token format) and their runtime checks:
// issuer, audience, time window and required claims, after the signature has been verified.
import { TokenError } from './errors.js';

/** `role` claim: the user's primary role and its secondary roles. */
export interface AccessTokenRole {
  id: string;
  legacyId: string;
  /** Milliseconds since the epoch. */
  lastUpdateTime: number;
  secondaryRoles: { id: string; lastUpdateTime: number }[];
}

/**
 * The claims of a verified cxauth access token (RFC 9068 profile plus the tenant claims of the
 * reference document, and `area` so a regional API can route without a lookup).
 * @see RFC 9068 §2.2
 */
export interface AccessTokenClaims {
  iss: string;
  /** `user:<userId>`. */
  sub: string;
  aud: string | string[];
  client_id: string;
  /** Seconds since the epoch. */
  iat: number;
  /** Seconds since the epoch. */
  exp: number;
  nbf?: number;
  jti: string;
  /** Space-separated scopes. */
  scope: string;
  tenantId: string;
  /** Tenant name. */
  tenant: string;
  /** Legacy business-unit id. */
  icBUId: number;
  icClusterId: string;
  /** The tenant's area, e.g. `na1`. */
  area: string;
  role: AccessTokenRole;
  /** The user's login (e-mail). */
  name: string;
  given_name?: string;
  family_name?: string;
  [claim: string]: unknown;
}

export interface ClaimRules {
  issuer: string;
  audience: string;
  /** Seconds. */
  clockTolerance: number;
}

type Kind = 'string' | 'number';
const REQUIRED: ReadonlyArray<readonly [string, Kind]> = [
  ['sub', 'string'],
  ['client_id', 'string'],
  ['jti', 'string'],
  ['scope', 'string'],
  ['tenantId', 'string'],
  ['tenant', 'string'],
  ['icBUId', 'number'],
  ['icClusterId', 'string'],
  ['area', 'string'],
  ['name', 'string'],
];
const OPTIONAL_STRINGS = ['given_name', 'family_name'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isRole(value: unknown): value is AccessTokenRole {
  return (
    isObject(value) &&
    typeof value['id'] === 'string' &&
    typeof value['legacyId'] === 'string' &&
    typeof value['lastUpdateTime'] === 'number' &&
    Array.isArray(value['secondaryRoles']) &&
    value['secondaryRoles'].every(
      (r: unknown) => isObject(r) && typeof r['id'] === 'string' && typeof r['lastUpdateTime'] === 'number',
    )
  );
}

function audienceMatches(aud: unknown, audience: string): boolean {
  if (typeof aud === 'string') return aud === audience;
  return (
    Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string') && aud.includes(audience)
  );
}

/**
 * Checks a verified payload against the rules and narrows it to {@link AccessTokenClaims}.
 * `now` is in seconds since the epoch.
 * @see RFC 9068 §4, RFC 7519 §4.1
 */
export function checkClaims(payload: unknown, rules: ClaimRules, now: number): AccessTokenClaims {
  if (!isObject(payload)) throw new TokenError('token_malformed', 'The token payload is not a JSON object');
  if (payload['iss'] !== rules.issuer) throw new TokenError('issuer_invalid', 'The token has another issuer');
  if (!audienceMatches(payload['aud'], rules.audience)) {
    throw new TokenError('audience_invalid', 'The token is not meant for this audience');
  }
  const { exp, iat, nbf } = payload;
  if (!isNumericDate(exp) || !isNumericDate(iat)) {
    throw new TokenError('claims_invalid', 'The token lacks a numeric exp or iat');
  }
  if (now >= exp + rules.clockTolerance) throw new TokenError('token_expired', 'The access token expired');
  if (nbf !== undefined && !isNumericDate(nbf))
    throw new TokenError('claims_invalid', 'The token nbf is invalid');
  if ((nbf !== undefined && nbf > now + rules.clockTolerance) || iat > now + rules.clockTolerance) {
    throw new TokenError('token_not_yet_valid', 'The access token is not valid yet');
  }
  for (const [name, kind] of REQUIRED) {
    if (typeof payload[name] !== kind) {
      throw new TokenError('claims_invalid', `The token lacks a valid ${name} claim`);
    }
  }
  for (const name of OPTIONAL_STRINGS) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') {
      throw new TokenError('claims_invalid', `The token ${name} claim is not a string`);
    }
  }
  if (!isRole(payload['role'])) throw new TokenError('claims_invalid', 'The token lacks a valid role claim');
  return payload as AccessTokenClaims;
}
