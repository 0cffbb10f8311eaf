// User rows: the users table (roles as columns, secondary roles as JSON) and its mapping.
import type { ColumnType, Selectable } from 'kysely';
import type { SecondaryRole, User } from '../../../domain/types.js';
import { type Millis, status, toDate } from '../rows.js';

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  given_name: string | null;
  family_name: string | null;
  role_id: string;
  role_legacy_id: string;
  role_updated_at: Millis;
  /** JSON: [{ id, lastUpdateTime }]. */
  secondary_roles: string;
  /** 1 for a platform operator (migration 0009). */
  is_operator: ColumnType<number, number | undefined, number>;
  /** 1 once the person showed they read mail at `email` (migration 0027). */
  email_verified: ColumnType<number, number | undefined, number>;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

export const userRow = {
  from: (r: Omit<Selectable<UsersTable>, 'email_verified'> & { email_verified?: number }): User => ({
    id: r.id,
    tenantId: r.tenant_id,
    email: r.email,
    givenName: r.given_name,
    familyName: r.family_name,
    role: {
      id: r.role_id,
      legacyId: r.role_legacy_id,
      lastUpdateTime: Number(r.role_updated_at),
      secondaryRoles: JSON.parse(r.secondary_roles) as SecondaryRole[],
    },
    operator: Number(r.is_operator) === 1,
    // Present only when true: absent is unverified (OIDC Core §5.1 `email_verified`).
    ...(Number(r.email_verified ?? 0) === 1 ? { emailVerified: true } : {}),
    status: status(r.status),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (u: User) => ({
    id: u.id,
    tenant_id: u.tenantId,
    email: u.email,
    given_name: u.givenName,
    family_name: u.familyName,
    role_id: u.role.id,
    role_legacy_id: u.role.legacyId,
    role_updated_at: u.role.lastUpdateTime,
    secondary_roles: JSON.stringify(u.role.secondaryRoles),
    is_operator: u.operator ? 1 : 0,
    ...(u.emailVerified === undefined ? {} : { email_verified: u.emailVerified ? 1 : 0 }),
    status: u.status,
    created_at: u.createdAt.getTime(),
    updated_at: u.updatedAt.getTime(),
  }),
};
