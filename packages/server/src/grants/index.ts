// The grants this service offers: the one table, keyed by grant_type. The GrantType union, the
// discovery document's grant_types_supported, the token endpoint's dispatch, the metrics' labels and
// the CLI's `--grant` names all derive from it, and its type (`Record<GrantName, Grant>`) makes every
// grant_type an application may be registered with (domain/app-types.ts) have its module here, so
// adding a grant is a module and a line here.
import type { GrantName } from '../domain/types.js';
import * as authorizationCode from './authorization-code.js';
import * as clientCredentials from './client-credentials.js';
import * as deviceCode from './device-code.js';
import * as password from './password.js';
import * as refreshToken from './refresh-token.js';
import * as tokenExchange from './token-exchange.js';
import type { Grant } from './types.js';

export type { Grant, GrantContext, GrantServices } from './types.js';

/**
 * Every grant module by its grant_type, in the order discovery lists them.
 * @see RFC 6749 §4 and §6, RFC 8693, RFC 8628, RFC 8414 §2 (`grant_types_supported`)
 */
export const GRANTS: Readonly<Record<GrantName, Grant>> = Object.freeze({
  authorization_code: authorizationCode,
  password,
  refresh_token: refreshToken,
  client_credentials: clientCredentials,
  [tokenExchange.grantType]: tokenExchange,
  [deviceCode.grantType]: deviceCode,
});

/** A grant_type this service implements. */
export type GrantType = keyof typeof GRANTS;

/** Every implemented grant_type, in table order. */
export const GRANT_TYPES: readonly GrantType[] = Object.freeze(Object.keys(GRANTS) as GrantType[]);

/** The enabled grants by grant_type (default: all). */
export function enabledGrants(enabled: readonly GrantType[] = GRANT_TYPES): ReadonlyMap<string, Grant> {
  return new Map(GRANT_TYPES.filter((g) => enabled.includes(g)).map((g) => [g, GRANTS[g]]));
}
