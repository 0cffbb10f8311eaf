// Scope values: which exist, the default, and parsing a requested scope string.
import { OAuthError } from './errors.js';

/**
 * The scopes this service knows (discovery `scopes_supported`). `offline_access` is accepted and
 * changes nothing (refresh tokens are issued as before, OIDC Core §11); `admin` is the admin API's and
 * granted only to applications registered with it.
 */
export const SUPPORTED_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'offline_access',
  'admin',
]);

/** What an application may request when its registration names no scopes (everything but `admin`). */
export const DEFAULT_APP_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'offline_access',
]);

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
