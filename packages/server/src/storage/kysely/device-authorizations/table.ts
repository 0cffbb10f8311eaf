// Device authorization rows (RFC 8628, migration 0022) and their mapping.
import type { Selectable } from 'kysely';
import type { DeviceAuthorization, DeviceAuthorizationStatus } from '../../../domain/device-authorization.js';
import type { AuthMethod } from '../../../domain/sign-in.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface DeviceAuthorizationsTable {
  id: string;
  device_code_hash: Buffer;
  user_code_hash: Buffer;
  client_id: string;
  scope: string;
  resource: string | null;
  status: string;
  /** Seconds. */
  poll_interval: number;
  last_polled_at: NullableMillis;
  created_at: Millis;
  expires_at: Millis;
  user_id: string | null;
  user_tenant_id: string | null;
  sign_in_id: string | null;
  auth_time: NullableMillis;
  /** JSON list of RFC 8176 values, once approved. */
  amr: string | null;
  answered_at: NullableMillis;
  session_id: string | null;
}

const STATUSES: readonly DeviceAuthorizationStatus[] = ['pending', 'approved', 'denied', 'used'];

export const deviceAuthorizationRow = {
  from: (r: Selectable<DeviceAuthorizationsTable>): DeviceAuthorization => ({
    id: r.id,
    deviceCodeHash: r.device_code_hash,
    userCodeHash: r.user_code_hash,
    clientId: r.client_id,
    scope: r.scope,
    resource: r.resource,
    // Anything unknown reads as denied: a row edited by hand never opens a session.
    status: (STATUSES as readonly string[]).includes(r.status)
      ? (r.status as DeviceAuthorizationStatus)
      : 'denied',
    interval: Number(r.poll_interval),
    lastPolledAt: toDateOrNull(r.last_polled_at),
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    approval:
      r.user_id !== null &&
      r.user_tenant_id !== null &&
      r.sign_in_id !== null &&
      r.auth_time !== null &&
      r.amr !== null
        ? {
            userId: r.user_id,
            tenantId: r.user_tenant_id,
            signInId: r.sign_in_id,
            authTime: toDate(r.auth_time),
            amr: JSON.parse(r.amr) as AuthMethod[],
          }
        : null,
    sessionId: r.session_id,
  }),
  to: (d: DeviceAuthorization) => ({
    id: d.id,
    device_code_hash: d.deviceCodeHash,
    user_code_hash: d.userCodeHash,
    client_id: d.clientId,
    scope: d.scope,
    resource: d.resource,
    status: d.status,
    poll_interval: d.interval,
    last_polled_at: d.lastPolledAt?.getTime() ?? null,
    created_at: d.createdAt.getTime(),
    expires_at: d.expiresAt.getTime(),
    user_id: d.approval?.userId ?? null,
    user_tenant_id: d.approval?.tenantId ?? null,
    sign_in_id: d.approval?.signInId ?? null,
    auth_time: d.approval?.authTime.getTime() ?? null,
    amr: d.approval ? JSON.stringify(d.approval.amr) : null,
    answered_at: null,
    session_id: d.sessionId,
  }),
};
