// Scope values: which exist, the default, and parsing a requested scope string.
import { mayAdminister } from '../domain/roles.js';
import type { Application, User } from '../domain/types.js';
import { OAuthError } from './errors.js';

/** The scope of the admin API (docs/admin-api.md). */
export const ADMIN_SCOPE = 'admin';

/**
 * The scopes this service knows (discovery `scopes_supported`). `offline_access` (OIDC Core §11) is
 * what a third-party app needs for a refresh token from the code flow, the consent page asking for it
 * in words; first-party apps get one without it. `admin` is the admin API's and granted only to
 * applications registered with it.
 */
export const SUPPORTED_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'offline_access',
  ADMIN_SCOPE,
]);

/** What an application may request when its registration names no scopes (everything but `admin`). */
export const DEFAULT_APP_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'offline_access',
]);

/** Scopes about a user (OIDC Core §5.4, §11): meaningless in a token for an application itself. */
export const USER_SCOPES: readonly string[] = Object.freeze(['openid', 'profile', 'email', 'offline_access']);

/** Granted when a request names no scope (docs/endpoints.md: the default scope is `openid`). */
export const DEFAULT_SCOPE = 'openid';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Parses a requested scope into a canonical string (known values, each once, in request order).
 * Values outside `allowed` are `invalid_scope`; with none requested, `fallback` is granted.
 * @see RFC 6749 §3.3
 */
export function parseScope(
  requested: string | undefined,
  allowed: readonly string[] = SUPPORTED_SCOPES,
  fallback: string = DEFAULT_SCOPE,
): string {
  if (requested === undefined) return fallback;
  const values = requested.split(' ').filter((v) => v !== '');
  if (values.length === 0) return fallback;
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
 * Refuses `admin` in a scope granted to a user unless the application is first-party and registered
 * with it (its `scopes`) and the user is a platform operator or a tenant's Administrator. Tokens for an application
 * itself are bounded by its `scopes` alone.
 * @see RFC 6749 §3.3 (the server may refuse a scope), §5.2 (`invalid_scope`)
 */
export function refuseUnentitledScope(scope: string, app: Application, user: User): void {
  if (!hasScope(scope, ADMIN_SCOPE)) return;
  if (!app.firstParty || !app.scopes.includes(ADMIN_SCOPE) || !mayAdminister(user)) {
    throw new OAuthError('invalid_scope', 'the admin scope is not available to this user or application');
  }
}
