// The cxauth access-token claims contract, defined once: the types of user- and application-subject
// tokens, the subject helpers, and the runtime check run after the signature has been verified. The
// issuer (@cxauth/server) builds its tokens with these types, and every verifier checks them here.
import { TokenError } from './errors.js';

/** `role` claim: the user's primary role and its secondary roles. */
export interface AccessTokenRole {
  id: string;
  legacyId: string;
  /** Milliseconds since the epoch. */
  lastUpdateTime: number;
  secondaryRoles: { id: string; lastUpdateTime: number }[];
}

/** `sub` of a token issued for a user. */
export type UserSubject = `user:${string}`;
/** `sub` of a token issued for an application itself (client credentials). */
export type AppSubject = `app:${string}`;

/**
 * What every cxauth access token carries, whoever its subject is: the RFC 9068 claims and the tenant
 * claims of the reference document, with `area` so a regional API can route without a lookup.
 * @see RFC 9068 §2.2
 */
export interface BaseAccessTokenClaims {
  iss: string;
  sub: UserSubject | AppSubject;
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
  /** The session the token belongs to (OIDC Front-Channel Logout §3); revocation names it. */
  sid?: string;
  tenantId: string;
  /** Tenant name. */
  tenant: string;
  /** Legacy business-unit id. */
  icBUId: number;
  icClusterId: string;
  /** The tenant's area, e.g. `na1`. */
  area: string;
  /** The DPoP key the token is bound to (RFC 9449 §6.1): its RFC 7638 thumbprint. */
  cnf?: { jkt: string };
  [claim: string]: unknown;
}

/** An access token issued for a user (`sub: user:<userId>`): always of one session. */
export interface UserAccessTokenClaims extends BaseAccessTokenClaims {
  sub: UserSubject;
  sid: string;
  role: AccessTokenRole;
  /** The user's login (e-mail). */
  name: string;
  given_name?: string;
  family_name?: string;
}

/**
 * An access token issued for an application (`sub: app:<client_id>`): the tenant's claims and none
 * of a user's (no `role`, `name`, `given_name`, `family_name`).
 */
export interface AppAccessTokenClaims extends BaseAccessTokenClaims {
  sub: AppSubject;
  role?: never;
  name?: never;
  given_name?: never;
  family_name?: never;
}

/** The claims of a verified cxauth access token. Tell the subjects apart with {@link subjectOf}. */
export type AccessTokenClaims = UserAccessTokenClaims | AppAccessTokenClaims;

/** Who a token was issued for. */
export type TokenSubject = { kind: 'user'; userId: string } | { kind: 'app'; clientId: string };

/** The claims only a user-subject token carries (an application token must carry none). */
export const USER_CLAIMS = ['role', 'name', 'given_name', 'family_name'] as const;

/** `user:<userId>`. */
export function userSubject(userId: string): UserSubject {
  return `user:${userId}`;
}

/** `app:<clientId>`. */
export function appSubject(clientId: string): AppSubject {
  return `app:${clientId}`;
}

/** Parses a `sub` value; undefined when it is neither `user:<id>` nor `app:<client_id>`. */
export function parseSubject(sub: unknown): TokenSubject | undefined {
  if (typeof sub !== 'string') return undefined;
  if (sub.startsWith('user:') && sub.length > 5) return { kind: 'user', userId: sub.slice(5) };
  if (sub.startsWith('app:') && sub.length > 4) return { kind: 'app', clientId: sub.slice(4) };
  return undefined;
}

/**
 * Who the verified `claims` were issued for.
 * @example
 * const who = subjectOf(claims);
 * if (who.kind === 'user') console.log(who.userId); else console.log(who.clientId);
 */
export function subjectOf(claims: AccessTokenClaims): TokenSubject {
  const subject = parseSubject(claims.sub);
  if (!subject) throw new TokenError('claims_invalid', 'The token lacks a valid sub claim');
  return subject;
}

/** True when `claims` were issued for a user (narrows to {@link UserAccessTokenClaims}). */
export function isUserClaims(claims: AccessTokenClaims): claims is UserAccessTokenClaims {
  return claims.sub.startsWith('user:');
}

export interface ClaimRules {
  issuer: string;
  audience: string;
  /** Seconds. */
  clockTolerance: number;
}

type Kind = 'string' | 'number';
const REQUIRED: ReadonlyArray<readonly [string, Kind]> = [
  ['client_id', 'string'],
  ['jti', 'string'],
  ['scope', 'string'],
  ['tenantId', 'string'],
  ['tenant', 'string'],
  ['icBUId', 'number'],
  ['icClusterId', 'string'],
  ['area', 'string'],
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

function invalid(message: string): TokenError {
  return new TokenError('claims_invalid', message);
}

/** The subject-specific half of the contract: a user's session and profile, or an application's none. */
function checkSubjectClaims(payload: Record<string, unknown>): void {
  const subject = parseSubject(payload['sub']);
  if (!subject) throw invalid('The token lacks a valid sub claim');
  const sid = payload['sid'];
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) {
    throw invalid('The token sid claim is not a session id');
  }
  if (subject.kind === 'app') {
    for (const name of USER_CLAIMS) {
      if (name in payload) throw invalid(`An application token must not carry a ${name} claim`);
    }
    return;
  }
  if (sid === undefined) throw invalid('The token lacks a valid sid claim');
  if (typeof payload['name'] !== 'string') throw invalid('The token lacks a valid name claim');
  for (const name of OPTIONAL_STRINGS) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') {
      throw invalid(`The token ${name} claim is not a string`);
    }
  }
  if (!isRole(payload['role'])) throw invalid('The token lacks a valid role claim');
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
  if (!isNumericDate(exp) || !isNumericDate(iat)) throw invalid('The token lacks a numeric exp or iat');
  if (now >= exp + rules.clockTolerance) throw new TokenError('token_expired', 'The access token expired');
  if (nbf !== undefined && !isNumericDate(nbf)) throw invalid('The token nbf is invalid');
  if ((nbf !== undefined && nbf > now + rules.clockTolerance) || iat > now + rules.clockTolerance) {
    throw new TokenError('token_not_yet_valid', 'The access token is not valid yet');
  }
  for (const [name, kind] of REQUIRED) {
    if (typeof payload[name] !== kind) throw invalid(`The token lacks a valid ${name} claim`);
  }
  checkSubjectClaims(payload);
  const cnf = payload['cnf'];
  // A confirmation this verifier cannot check (another method than jkt) must not pass as unbound.
  if (cnf !== undefined && (!isObject(cnf) || typeof cnf['jkt'] !== 'string' || cnf['jkt'] === '')) {
    throw invalid('The token cnf claim is not a DPoP key thumbprint');
  }
  return payload as AccessTokenClaims;
}
