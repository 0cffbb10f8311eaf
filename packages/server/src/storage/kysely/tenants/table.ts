// Tenant rows: the tenants table and its mapping to the domain Tenant.
import type { Selectable } from 'kysely';
import type { Tenant } from '../../../domain/types.js';
import { type Millis, status, toDate } from '../rows.js';

export interface TenantsTable {
  id: string;
  name: string;
  area: string;
  cluster: string;
  business_unit_id: number;
  cluster_id: string;
  is_private: number;
  access_key_self_service: number;
  sso_required: number;
  password_min_length: number | null;
  email_verification_required: number;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

export const tenantRow = {
  from: (r: Selectable<TenantsTable>): Tenant => ({
    id: r.id,
    name: r.name,
    area: r.area,
    cluster: r.cluster,
    businessUnitId: Number(r.business_unit_id),
    clusterId: r.cluster_id,
    private: Number(r.is_private) === 1,
    accessKeySelfService: Number(r.access_key_self_service) === 1,
    ...(Number(r.sso_required) === 1 ? { ssoRequired: true } : {}),
    ...(r.password_min_length === null ? {} : { passwordMinLength: Number(r.password_min_length) }),
    ...(Number(r.email_verification_required) === 1 ? { emailVerificationRequired: true } : {}),
    status: status(r.status),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (t: Tenant) => ({
    id: t.id,
    name: t.name,
    area: t.area,
    cluster: t.cluster,
    business_unit_id: t.businessUnitId,
    cluster_id: t.clusterId,
    is_private: t.private ? 1 : 0,
    access_key_self_service: t.accessKeySelfService === false ? 0 : 1,
    sso_required: t.ssoRequired === true ? 1 : 0,
    password_min_length: t.passwordMinLength ?? null,
    email_verification_required: t.emailVerificationRequired === true ? 1 : 0,
    status: t.status,
    created_at: t.createdAt.getTime(),
    updated_at: t.updatedAt.getTime(),
  }),
};
