// Audit event repository: appends in one multi-row insert, newest-first listing, batched purge.
import type { Kysely } from 'kysely';
import type { AuditEventRepository } from '../../contract/audit-events.js';
import type { Database } from '../schema.js';
import { enqueueDeliveries } from '../webhooks/outbox.js';
import { auditEventRow } from './table.js';

/** The most events one listing returns, whatever is asked. */
const MAX_LIST = 10_000;

export function auditEventRepository(db: Kysely<Database>): AuditEventRepository {
  return {
    async append(events) {
      if (events.length === 0) return;
      // The webhook outbox is written in the same transaction: a stored event has its deliveries.
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('audit_events').values(events.map(auditEventRow.to)).execute();
        await enqueueDeliveries(trx, events);
      });
    },
    async list(filter = {}) {
      let query = db.selectFrom('audit_events').selectAll();
      if (filter.since) query = query.where('at', '>=', filter.since.getTime());
      // In the query, not after it: a page of one tenant's events is read from that tenant's rows
      // (the tenant_id, at index), so another tenant's busy hour cannot crowd them out.
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      if (filter.actors !== undefined) {
        if (filter.actors.length === 0) return [];
        query = query.where('actor', 'in', [...filter.actors]);
      }
      const before = filter.before;
      if (before) {
        const at = before.at.getTime();
        query = query.where((eb) =>
          eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', before.id)])]),
        );
      }
      const type = filter.type;
      if (type !== undefined && /[.*]$/.test(type)) {
        // A prefix, as a range (no LIKE wildcards to escape): every type that starts with it sorts here.
        const prefix = type.replace(/\*$/, '');
        query = query.where('type', '>=', prefix).where('type', '<', `${prefix}\uffff`);
      } else if (type !== undefined) {
        query = query.where('type', '=', type);
      }
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIST);
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(auditEventRow.from);
    },
    async purge(before, limit) {
      const batch = db
        .selectFrom('audit_events')
        .select('id')
        .where('at', '<', before.getTime())
        .limit(limit);
      const result = await db.deleteFrom('audit_events').where('id', 'in', batch).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
