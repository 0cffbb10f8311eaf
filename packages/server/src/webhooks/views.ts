// The JSON shapes of a subscription and a delivery, as the admin API and `cxauth admin webhook` show
// them (docs/webhooks.md); never a secret.
import type { WebhookAttempt, WebhookDelivery, WebhookSubscription } from '../storage/contract/webhooks.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function webhookView(s: WebhookSubscription) {
  return {
    id: s.id,
    tenantId: s.tenantId,
    url: s.url,
    event_types: [...s.eventTypes],
    enabled: s.enabled,
    disabled_reason: s.disabledReason,
    failing_since: iso(s.failingSince),
    previous_secret_expires_at: iso(s.previousUntil),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function deliveryView(d: WebhookDelivery, attempts?: readonly WebhookAttempt[]) {
  return {
    id: d.id,
    event_id: d.eventId,
    event_type: d.eventType,
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
    last_status: d.lastStatus,
    last_error: d.lastError,
    createdAt: iso(d.createdAt),
    delivered_at: iso(d.deliveredAt),
    ...(attempts
      ? {
          payload: d.payload,
          attempt_log: attempts.map((a) => ({
            attempt: a.attempt,
            at: a.at.toISOString(),
            status: a.status,
            latency_ms: Math.round(a.latencyMs),
            error: a.error,
          })),
        }
      : {}),
  };
}
