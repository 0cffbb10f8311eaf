// Resource indicators (RFC 8707): which API an access token is for. The admin API is its own resource
// (`<issuer>/admin/v1`), so a token a regional API receives can never be replayed to it, and an admin
// token is refused by every regional API. Without `resource`, a scope with `admin` means the admin API
// and anything else the platform's shared audience (docs/sign-in.md, "Audiences").
import type { Application } from '../domain/types.js';
import { OAuthError } from './errors.js';
import { ADMIN_SCOPE, hasScope } from './scope.js';

/** The resource indicator of the admin API for `issuer`. */
export function adminResource(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/admin/v1`;
}

/** The resources this issuer knows: the admin API, and the shared audience when it is a URI. */
export interface Resources {
  readonly admin: string;
  /** `CXAUTH_AUDIENCE`: the `aud` of tokens for the regional APIs. */
  readonly shared: string;
}

const MAX_RESOURCE = 2048;

/**
 * A `resource` parameter checked: an absolute URI without a fragment (RFC 8707 §2), one this issuer
 * serves, and for the admin API only for an application allowed `admin` (first-party).
 * @see RFC 8707 §2 (`invalid_target`)
 */
export function checkResource(
  value: string | undefined,
  resources: Resources,
  app: Pick<Application, 'firstParty' | 'scopes'>,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    if (value.length > MAX_RESOURCE) throw new Error('too long');
    url = new URL(value);
  } catch {
    throw new OAuthError('invalid_target', 'resource must be an absolute URI');
  }
  if (url.hash !== '' || value.includes('#')) {
    throw new OAuthError('invalid_target', 'resource must not have a fragment');
  }
  if (value === resources.admin) {
    if (!app.firstParty || !app.scopes.includes(ADMIN_SCOPE)) {
      throw new OAuthError('invalid_target', 'this application may not obtain tokens for the admin API');
    }
    return value;
  }
  if (value === resources.shared) return value;
  throw new OAuthError('invalid_target', 'the resource is not served by this issuer');
}

/** The `aud` of an access token: the resource asked for, else what its scope implies. */
export function audienceOf(resource: string | undefined, scope: string, resources: Resources): string {
  if (resource !== undefined) return resource;
  return hasScope(scope, ADMIN_SCOPE) ? resources.admin : resources.shared;
}
