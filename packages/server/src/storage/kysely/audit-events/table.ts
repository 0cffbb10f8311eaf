// Audit event rows: details are JSON text, so one column type serves both dialects.
import type { Selectable } from 'kysely';
import type { AuditEvent } from '../../contract/audit-events.js';
import { type Millis, toDate } from '../rows.js';

export interface AuditEventsTable {
  id: string;
  at: Millis;
  type: string;
  actor: string | null;
  subject: string | null;
  tenant_id: string | null;
  address: string | null;
  details: string;
}

export const auditEventRow = {
  from: (r: Selectable<AuditEventsTable>): AuditEvent => ({
    id: r.id,
    at: toDate(r.at),
    type: r.type,
    actor: r.actor,
    subject: r.subject,
    tenantId: r.tenant_id,
    address: r.address,
    details: JSON.parse(r.details) as AuditEvent['details'],
  }),
  to: (e: AuditEvent) => ({
    id: e.id,
    at: e.at.getTime(),
    type: e.type,
    actor: e.actor,
    subject: e.subject,
    tenant_id: e.tenantId,
    address: e.address,
    details: JSON.stringify(e.details),
  }),
};
