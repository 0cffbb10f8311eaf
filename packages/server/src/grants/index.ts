// The grants this service offers, registered by one loop: adding a grant touches no other grant.
import type { GrantType } from '../domain/types.js';
import * as password from './password.js';
import * as refreshToken from './refresh-token.js';
import type { Grant } from './types.js';

export type { Grant, GrantContext, GrantDeps } from './types.js';

/** Every grant module, in the order discovery lists them. */
export const ALL_GRANTS: readonly Grant[] = [password, refreshToken];

/** The enabled grants by grant_type (default: all). */
export function enabledGrants(
  enabled: readonly GrantType[] = ALL_GRANTS.map((g) => g.grantType),
): Map<string, Grant> {
  return new Map(ALL_GRANTS.filter((g) => enabled.includes(g.grantType)).map((g) => [g.grantType, g]));
}
