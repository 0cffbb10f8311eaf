// Access-key rows: the access_keys table and its mapping to the domain AccessKey.
import type { Selectable } from 'kysely';
import type { AccessKey } from '../../../domain/types.js';
import { type Millis, type NullableMillis, status, toDate, toDateOrNull } from '../rows.js';

export interface AccessKeysTable {
  id: string;
  user_id: string;
  tenant_id: string;
  secret_hash: Buffer;
  status: string;
  created_at: Millis;
  last_used_at: NullableMillis;
  deactivated_by: string | null;
}

/** Who switched a key off; an unknown value reads as an administrator (the stricter). */
function deactivator(value: string | null): AccessKey['deactivatedBy'] {
  return value === null ? null : value === 'owner' ? 'owner' : 'administrator';
}

export const accessKeyRow = {
  from: (r: Selectable<AccessKeysTable>): AccessKey => ({
    id: r.id,
    userId: r.user_id,
    tenantId: r.tenant_id,
    secretHash: Buffer.from(r.secret_hash),
    status: status(r.status),
    createdAt: toDate(r.created_at),
    lastUsedAt: toDateOrNull(r.last_used_at),
    deactivatedBy: deactivator(r.deactivated_by),
  }),
  to: (k: AccessKey) => ({
    id: k.id,
    user_id: k.userId,
    tenant_id: k.tenantId,
    secret_hash: k.secretHash,
    status: k.status,
    created_at: k.createdAt.getTime(),
    last_used_at: k.lastUsedAt ? k.lastUsedAt.getTime() : null,
    deactivated_by: k.status === 'inactive' ? (k.deactivatedBy ?? 'administrator') : null,
  }),
};
