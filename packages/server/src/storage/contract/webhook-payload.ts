// The body of a webhook delivery: one audit event in the Standard Webhooks shape (`type`, `timestamp`,
// `data`), as docs/webhooks.md documents it. Built when the event is stored, and sent byte for byte.
import type { AuditEvent } from './audit-events.js';

/** The JSON text of the delivery that reports `event`. */
export function webhookPayload(event: AuditEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.at.toISOString(),
    data: {
      id: event.id,
      tenantId: event.tenantId,
      subject: event.subject,
      actor: event.actor,
      details: event.details,
    },
  });
}
