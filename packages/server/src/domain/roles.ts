// Who may do what through the admin API: platform operators, a tenant's Administrators, and everyone
// else for their own access keys and sessions (docs/admin-api.md, "Roles").
import type { User } from './types.js';

/** The role (its `role.legacyId`, the legacy role name) that administers its own tenant. */
export const ADMINISTRATOR_ROLE = 'Administrator';

/** The role of a user created without one: a plain user (least privilege), never an Administrator. */
export const DEFAULT_ROLE = 'Agent';

/** A platform operator: a user flag (`cxauth admin user create --operator`), not a role of a tenant. */
export function isOperator(user: Pick<User, 'operator'>): boolean {
  return user.operator === true;
}

/** A tenant's Administrator: confined to the user's own tenant. */
export function isTenantAdministrator(user: Pick<User, 'role'>): boolean {
  return user.role.legacyId === ADMINISTRATOR_ROLE;
}

/** Whether a user may hold the `admin` scope at all (everything else is then decided per request). */
export function mayAdminister(user: Pick<User, 'role' | 'operator'>): boolean {
  return isOperator(user) || isTenantAdministrator(user);
}
