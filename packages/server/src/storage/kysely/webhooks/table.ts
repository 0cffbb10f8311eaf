// Webhook rows: event types are JSON text, sealed secrets base64 text, times epoch ms, flags integers.
import type { Selectable } from 'kysely';
import type {
  DeliveryState,
  WebhookAttempt,
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionPatch,
} from '../../contract/webhooks.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface WebhookSubscriptionsTable {
  id: string;
  tenant_id: string | null;
  url: string;
  event_types: string;
  enabled: number;
  sealed_secret: string;
  sealed_previous: string | null;
  previous_until: NullableMillis;
  failing_since: NullableMillis;
  disabled_reason: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  tenant_id: string | null;
  event_id: string;
  event_type: string;
  payload: string;
  created_at: Millis;
  state: string;
  attempts: number;
  next_attempt_at: Millis;
  lease_owner: string | null;
  lease_until: NullableMillis;
  last_status: number | null;
  last_error: string | null;
  delivered_at: NullableMillis;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Millis;
  status: number | null;
  latency_ms: number;
  error: string | null;
}

const sealed = (text: string | null) => (text === null ? null : Buffer.from(text, 'base64'));
const millis = (date: Date | null | undefined) => (date ? date.getTime() : null);

export const subscriptionRow = {
  from: (r: Selectable<WebhookSubscriptionsTable>): WebhookSubscription => ({
    id: r.id,
    tenantId: r.tenant_id,
    url: r.url,
    eventTypes: JSON.parse(r.event_types) as string[],
    enabled: Number(r.enabled) === 1,
    sealedSecret: Buffer.from(r.sealed_secret, 'base64'),
    sealedPrevious: sealed(r.sealed_previous),
    previousUntil: toDateOrNull(r.previous_until),
    failingSince: toDateOrNull(r.failing_since),
    disabledReason: r.disabled_reason,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (s: WebhookSubscription) => ({
    id: s.id,
    tenant_id: s.tenantId,
    url: s.url,
    event_types: JSON.stringify(s.eventTypes),
    enabled: s.enabled ? 1 : 0,
    sealed_secret: s.sealedSecret.toString('base64'),
    sealed_previous: s.sealedPrevious ? s.sealedPrevious.toString('base64') : null,
    previous_until: millis(s.previousUntil),
    failing_since: millis(s.failingSince),
    disabled_reason: s.disabledReason,
    created_at: s.createdAt.getTime(),
    updated_at: s.updatedAt.getTime(),
  }),
  /** Only the columns the patch names. */
  patch: (p: WebhookSubscriptionPatch) => ({
    updated_at: p.updatedAt.getTime(),
    ...(p.url !== undefined ? { url: p.url } : {}),
    ...(p.eventTypes !== undefined ? { event_types: JSON.stringify(p.eventTypes) } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled ? 1 : 0 } : {}),
    ...(p.sealedSecret !== undefined ? { sealed_secret: p.sealedSecret.toString('base64') } : {}),
    ...(p.sealedPrevious !== undefined
      ? { sealed_previous: p.sealedPrevious ? p.sealedPrevious.toString('base64') : null }
      : {}),
    ...(p.previousUntil !== undefined ? { previous_until: millis(p.previousUntil) } : {}),
    ...(p.failingSince !== undefined ? { failing_since: millis(p.failingSince) } : {}),
    ...(p.disabledReason !== undefined ? { disabled_reason: p.disabledReason } : {}),
  }),
};

export const deliveryRow = {
  from: (r: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    tenantId: r.tenant_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    createdAt: toDate(r.created_at),
    state: r.state as DeliveryState,
    attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    deliveredAt: toDateOrNull(r.delivered_at),
  }),
};

export const attemptRow = {
  from: (r: Selectable<WebhookAttemptsTable>): WebhookAttempt => ({
    deliveryId: r.delivery_id,
    attempt: Number(r.attempt),
    at: toDate(r.at),
    status: r.status === null ? null : Number(r.status),
    latencyMs: Number(r.latency_ms),
    error: r.error,
  }),
  to: (a: WebhookAttempt) => ({
    delivery_id: a.deliveryId,
    attempt: a.attempt,
    at: a.at.getTime(),
    status: a.status,
    latency_ms: Math.round(a.latencyMs),
    error: a.error,
  }),
};
