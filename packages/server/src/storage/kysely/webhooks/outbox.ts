// The outbox: one delivery row per stored audit event and enabled subscription that wants it, written
// in the transaction that stores the events (audit-events/repository.ts), so an event in the audit
// trail always has its deliveries and a crash between the two cannot happen (docs/webhooks.md).
import type { Kysely } from 'kysely';
import type { AuditEvent } from '../../contract/audit-events.js';
import { webhookPayload } from '../../contract/webhook-payload.js';
import type { Database } from '../schema.js';

/** Rows per insert statement (well under both drivers' parameter limits). */
const CHUNK = 200;

/** Whether a subscription of `tenantId` (null: platform-wide) listening to `types` wants `event`. */
export function wants(tenantId: string | null, types: readonly string[], event: AuditEvent): boolean {
  if (tenantId !== null && event.tenantId !== tenantId) return false;
  return types.includes('*') || types.includes(event.type);
}

/** Writes the deliveries of `events` inside `trx`, the transaction that stores them. */
export async function enqueueDeliveries(trx: Kysely<Database>, events: readonly AuditEvent[]): Promise<void> {
  const subscriptions = await trx
    .selectFrom('webhook_subscriptions')
    .select(['id', 'tenant_id', 'event_types'])
    .where('enabled', '=', 1)
    .execute();
  if (subscriptions.length === 0) return;
  const parsed = subscriptions.map((s) => ({
    id: s.id,
    tenantId: s.tenant_id,
    types: JSON.parse(s.event_types) as string[],
  }));
  const rows = [];
  for (const event of events) {
    let payload: string | undefined;
    for (const s of parsed) {
      if (!wants(s.tenantId, s.types, event)) continue;
      payload ??= webhookPayload(event);
      rows.push({
        // The webhook-id: stable for this event and subscription, so every retry carries the same one.
        id: `msg_${event.id}_${s.id.replace(/^wh_/, '')}`,
        subscription_id: s.id,
        tenant_id: event.tenantId,
        event_id: event.id,
        event_type: event.type,
        payload,
        created_at: event.at.getTime(),
        state: 'pending',
        attempts: 0,
        next_attempt_at: event.at.getTime(),
        lease_owner: null,
        lease_until: null,
        last_status: null,
        last_error: null,
        delivered_at: null,
      });
    }
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}
