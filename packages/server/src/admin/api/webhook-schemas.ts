// The admin API's webhook schemas (docs/webhooks.md): a subscription, its one-time secret, changes, and
// the delivery log. Listed in schemas.ts COMPONENTS like the others.
import { Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Time = Type.Union([Type.String(), Type.Null()]);
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 });

export const Webhook = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.Union([Type.String(), Type.Null()]),
    url: Type.String(),
    event_types: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    /** Why the service switched it off (failing for 5 days); null otherwise. */
    disabled_reason: Type.Union([Type.String(), Type.Null()]),
    failing_since: Time,
    /** Until when the secret before the last rotation still signs beside the new one. */
    previous_secret_expires_at: Time,
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'Webhook' },
);
/** The subscription with its signing secret: shown once, at creation and at each rotation. */
export const NewWebhook = Type.Object(
  { ...Webhook.properties, secret: Type.String() },
  { $id: 'NewWebhook' },
);
export const CreateWebhook = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    /** Audit event types, or `*` for every one. */
    event_types: EventTypes,
    enabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, $id: 'CreateWebhook' },
);
export const PatchWebhook = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    event_types: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, $id: 'PatchWebhook', minProperties: 1 },
);
export const RotateWebhookSecret = Type.Object(
  {
    /** How long the current secret keeps signing beside the new one (default 86400; 0 ends it now). */
    overlap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })),
  },
  { ...strict, $id: 'RotateWebhookSecret' },
);
export const WebhookAttempt = Type.Object(
  {
    attempt: Type.Integer(),
    at: Type.String(),
    status: Type.Union([Type.Integer(), Type.Null()]),
    latency_ms: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'WebhookAttempt' },
);
export const WebhookDelivery = Type.Object(
  {
    /** The `webhook-id` header: the same on every attempt and redelivery. */
    id: Type.String(),
    event_id: Type.String(),
    event_type: Type.String(),
    state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    next_attempt_at: Time,
    last_status: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Type.Union([Type.String(), Type.Null()]),
    createdAt: Time,
    delivered_at: Time,
    /** Each attempt (one delivery read by id). */
    attempt_log: Type.Optional(Type.Array(WebhookAttempt)),
    /** The body as sent (one delivery read by id). */
    payload: Type.Optional(Type.String()),
  },
  { $id: 'WebhookDelivery' },
);
export const DeliveryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
  strict,
);
export const TenantWebhookParams = Type.Object(
  {
    tenantId: Type.String({ minLength: 1, maxLength: 128 }),
    webhookId: Type.String({ minLength: 1, maxLength: 128 }),
  },
  strict,
);

export const WEBHOOK_COMPONENTS = [
  Webhook,
  NewWebhook,
  CreateWebhook,
  PatchWebhook,
  RotateWebhookSecret,
  WebhookAttempt,
  WebhookDelivery,
] as const;
