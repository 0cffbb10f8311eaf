// SCIM rows: tokens, user links (attributes as JSON), e-mail values, groups and members.
import type { Selectable } from 'kysely';
import { emailValues, type ScimToken, type ScimUserLink } from '../../contract/scim.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface ScimTokensTable {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: Buffer;
  created_at: Millis;
  revoked_at: NullableMillis;
}

export interface ScimUsersTable {
  user_id: string;
  tenant_id: string;
  user_name: string;
  external_id: string | null;
  /** JSON: the resource's other attributes. */
  attributes: string;
  created_at: Millis;
  updated_at: Millis;
  released_at: NullableMillis;
}

export interface ScimUserEmailsTable {
  user_id: string;
  tenant_id: string;
  value: string;
}

export interface ScimGroupsTable {
  id: string;
  tenant_id: string;
  display_name: string;
  display_key: string;
  external_id: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
  tenant_id: string;
}

export const scimTokenRow = {
  from: (r: Selectable<ScimTokensTable>): ScimToken => ({
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    secretHash: Buffer.from(r.secret_hash),
    createdAt: toDate(r.created_at),
    revokedAt: toDateOrNull(r.revoked_at),
  }),
  to: (t: ScimToken) => ({
    id: t.id,
    tenant_id: t.tenantId,
    name: t.name,
    secret_hash: t.secretHash,
    created_at: t.createdAt.getTime(),
    revoked_at: t.revokedAt ? t.revokedAt.getTime() : null,
  }),
};

/** The link columns of a joined row (null when the user has none). */
export function scimLinkFrom(r: {
  scim_user_name: string | null;
  scim_external_id: string | null;
  scim_attributes: string | null;
  scim_created_at: number | string | null;
  scim_updated_at: number | string | null;
}): ScimUserLink | null {
  if (r.scim_user_name === null || r.scim_attributes === null) return null;
  const attributes = JSON.parse(r.scim_attributes) as Record<string, unknown>;
  return {
    userName: r.scim_user_name,
    externalId: r.scim_external_id,
    emails: emailValues(attributes),
    attributes,
    createdAt: toDate(r.scim_created_at ?? 0),
    updatedAt: toDate(r.scim_updated_at ?? 0),
  };
}

export const scimLinkRow = {
  to: (tenantId: string, userId: string, l: ScimUserLink) => ({
    user_id: userId,
    tenant_id: tenantId,
    user_name: l.userName,
    external_id: l.externalId,
    attributes: JSON.stringify(l.attributes),
    created_at: l.createdAt.getTime(),
    updated_at: l.updatedAt.getTime(),
    released_at: null,
  }),
};
