// The grants this service offers: the one list. The grant_type union, the discovery document's
// grant_types_supported, the token endpoint's dispatch and the grant types an application may be
// registered with all derive from it, so adding a grant is a module and a line here.
import * as authorizationCode from './authorization-code.js';
import * as clientCredentials from './client-credentials.js';
import * as password from './password.js';
import * as refreshToken from './refresh-token.js';
import * as tokenExchange from './token-exchange.js';
import type { Grant } from './types.js';

export type { Grant, GrantContext, GrantDeps } from './types.js';

/**
 * Every grant module, in the order discovery lists them.
 * @see RFC 6749 §4 and §6, RFC 8693, RFC 8414 §2 (`grant_types_supported`)
 */
export const ALL_GRANTS = [
  authorizationCode,
  password,
  refreshToken,
  clientCredentials,
  tokenExchange,
] as const satisfies readonly Grant[];

/** A grant_type this service implements. */
export type GrantType = (typeof ALL_GRANTS)[number]['grantType'];

/** Every implemented grant_type, in list order. */
export const GRANT_TYPES: readonly GrantType[] = Object.freeze(ALL_GRANTS.map((g) => g.grantType));

/** The enabled grants by grant_type (default: all). */
export function enabledGrants(enabled: readonly GrantType[] = GRANT_TYPES): Map<string, Grant> {
  return new Map(ALL_GRANTS.filter((g) => enabled.includes(g.grantType)).map((g) => [g.grantType, g]));
}
