// Scope values: which exist, the default, and parsing a requested scope string.
import { mayAdminister } from '../domain/roles.js';
import type { Application, User } from '../domain/types.js';
import { OAuthError } from './errors.js';

/** The scope of the admin API (docs/admin-api.md). */
export const ADMIN_SCOPE = 'admin';

/** The scopes this service knows (discovery `scopes_supported`). */
export const SUPPORTED_SCOPES: readonly string[] = Object.freeze(['openid', 'profile', 'email', ADMIN_SCOPE]);

/** Granted when a request names no scope (docs/endpoints.md: the default scope is `openid`). */
export const DEFAULT_SCOPE = 'openid';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Parses a requested scope into a canonical string (known values, each once, in request order).
 * Values outside `allowed` are `invalid_scope`.
 * @see RFC 6749 §3.3
 */
export function parseScope(
  requested: string | undefined,
  allowed: readonly string[] = SUPPORTED_SCOPES,
): string {
  if (requested === undefined) return DEFAULT_SCOPE;
  const values = requested.split(' ').filter((v) => v !== '');
  if (values.length === 0) return DEFAULT_SCOPE;
  const out: string[] = [];
  for (const value of values) {
    if (!SCOPE_TOKEN.test(value)) throw new OAuthError('invalid_scope', 'malformed scope');
    if (!allowed.includes(value)) {
      throw new OAuthError('invalid_scope', `the scope ${value.slice(0, 40)} is not available`);
    }
    if (!out.includes(value)) out.push(value);
  }
  return out.join(' ');
}

/** True when `scope` (space-separated) contains `value`. */
export function hasScope(scope: string, value: string): boolean {
  return scope.split(' ').includes(value);
}

/**
 * The scopes an application may request. Applications gain their own `scopes` list with their types;
 * until then (no list stored) an application may request every supported scope, and `admin` stays
 * bounded by the user's entitlement ({@link refuseUnentitledScope}).
 */
export function applicationScopes(app: Application): readonly string[] {
  const own = (app as Application & { scopes?: readonly string[] }).scopes;
  return own ?? SUPPORTED_SCOPES;
}

/**
 * Refuses `admin` in a granted scope unless the application may request it and the user is a
 * platform operator or a tenant's Administrator.
 * @see RFC 6749 §3.3 (the server may refuse a scope), §5.2 (`invalid_scope`)
 */
export function refuseUnentitledScope(scope: string, app: Application, user: User): void {
  if (!hasScope(scope, ADMIN_SCOPE)) return;
  if (!applicationScopes(app).includes(ADMIN_SCOPE) || !mayAdminister(user)) {
    throw new OAuthError('invalid_scope', 'the admin scope is not available to this user or application');
  }
}
