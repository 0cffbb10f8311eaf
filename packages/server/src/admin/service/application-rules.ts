// What an application registration may say: exact CORS origins, redirect URIs that cannot be
// hijacked, grants its type allows and scopes this service knows. One-line AdminError messages.
import { APP_TYPE_RULES, isGrantName, typeAllows } from '../../domain/app-types.js';
import type { AppType, GrantName, Tenancy } from '../../domain/types.js';
import { SUPPORTED_SCOPES } from '../../protocol/scope.js';
import { invalid } from './context.js';

/**
 * An origin exactly as browsers send it: `scheme://host[:port]`, lower case, no default port, no path.
 * @see RFC 6454 §6.2 (ASCII serialization of an origin)
 */
export function exactOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`origin must be scheme://host[:port], got "${raw}"`, 'origins');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw) {
    const hint =
      url.protocol === 'http:' || url.protocol === 'https:' ? ` (did you mean "${url.origin}"?)` : '';
    throw invalid(`origin must be exactly scheme://host[:port], got "${raw}"${hint}`, 'origins');
  }
  return raw;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A redirect URI: absolute, without a fragment (RFC 6749 §3.1.2), https — or http on a loopback
 * host, or for a native public application a private-use scheme in reverse-domain form
 * (RFC 8252 §7.1 and §7.3, RFC 9700 §4.1.1).
 */
export function redirectUri(raw: string, type: AppType, what = 'redirect URI'): string {
  const member = what === 'redirect URI' ? 'redirect_uris' : 'post_logout_redirect_uris';
  const bad = (message: string) => invalid(message, member);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad(`${what} must be an absolute URL, got "${raw}"`);
  }
  if (url.hash || raw.includes('#')) throw bad(`a ${what} must not have a fragment (RFC 6749 §3.1.2)`);
  if (url.username || url.password) throw bad(`a ${what} must not hold credentials`);
  if (url.protocol === 'https:') return raw;
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return raw;
    throw bad(`a ${what} must use https (http only on a loopback host), got "${raw}"`);
  }
  // A private-use scheme names its owner (com.example.app:/callback); only native apps use them.
  if (type === 'public' && /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) return raw;
  throw bad(
    type === 'public'
      ? `a ${what} must use https, loopback http or a reverse-domain private-use scheme (RFC 8252 §7.1)`
      : `a ${what} must use https (http only on a loopback host), got "${raw}"`,
  );
}

/** The grants of a registration: each known and allowed to its type; none given means the defaults. */
export function grantsFor(type: AppType, tenancy: Tenancy, requested: readonly string[] | undefined) {
  const rules = APP_TYPE_RULES[type];
  if (!requested?.length) {
    return rules.defaultGrants.filter((g) => typeAllows(type, tenancy, g));
  }
  const grants: GrantName[] = [];
  for (const g of new Set(requested)) {
    if (!isGrantName(g))
      throw invalid(`grant type must be one of ${rules.grants.join(', ')}; got "${g}"`, 'grant_types');
    if (!typeAllows(type, tenancy, g)) {
      const why =
        g === 'client_credentials' && type === 'backend'
          ? 'client_credentials needs an application bound to one tenant (--tenant)'
          : `a ${type} application may use only ${rules.grants.join(', ')}`;
      throw invalid(`${why}; got "${g}"`, 'grant_types');
    }
    grants.push(g);
  }
  return grants;
}

/** The scopes of a registration: known ones, each once. */
export function scopesFor(requested: readonly string[] | undefined, fallback: readonly string[]): string[] {
  if (!requested?.length) return [...fallback];
  for (const s of requested) {
    if (!SUPPORTED_SCOPES.includes(s)) {
      throw invalid(`scope must be one of ${SUPPORTED_SCOPES.join(', ')}; got "${s}"`, 'scopes');
    }
  }
  return [...new Set(requested)];
}
