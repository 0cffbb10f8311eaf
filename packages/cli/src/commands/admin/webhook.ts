// `cxauth admin webhook …`: webhook subscriptions (docs/webhooks.md). `--tenant ID` names a tenant's;
// without it, the platform-wide ones (every tenant's events). The `whsec_` secret is printed by create
// and rotate-secret only, once.
import { CliError, EXIT } from '../../io.js';
import { type Kind, many, optional, type Values, type Verb } from './spec.js';

const tenant = {
  tenant: { type: 'string', description: "the tenant's subscriptions (omitted: the platform-wide ones)" },
} as const;
const fields = {
  url: {
    type: 'string',
    description: 'the receiver (http or https; private addresses need CXAUTH_WEBHOOK_ALLOW_PRIVATE=on)',
  },
  event: {
    type: 'string',
    multiple: true,
    description: 'an audit event type to receive, or * for every one (repeatable)',
  },
} as const;

const tenantOf = (v: Values): string | null => optional(v, 'tenant') ?? null;
const number = (v: Values, name: string): number | undefined => {
  const raw = optional(v, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new CliError(`--${name} must be a whole number`, EXIT.usage);
  return Number(raw);
};
const byId = (run: Verb['run'], usage = 'WEBHOOK_ID [--tenant ID]', options = {}): Verb => ({
  usage,
  id: 'WEBHOOK_ID',
  options: { ...tenant, ...options },
  run,
});

export const WEBHOOK: Kind = {
  summary: 'webhook subscriptions: signed deliveries of audit events (docs/webhooks.md)',
  verbs: {
    create: {
      usage: '--url URL --event TYPE… [--tenant ID] [--disabled]',
      secret: true,
      options: { ...tenant, ...fields, disabled: { type: 'boolean', description: 'add it switched off' } },
      run: (admin, v) =>
        admin.createWebhook(tenantOf(v), {
          url: optional(v, 'url') ?? '',
          event_types: many(v, 'event'),
          ...(v['disabled'] === true ? { enabled: false } : {}),
        }),
    },
    list: { usage: '[--tenant ID]', options: tenant, run: (admin, v) => admin.listWebhooks(tenantOf(v)) },
    show: byId((admin, v, id) => admin.showWebhook(tenantOf(v), id ?? '')),
    update: byId(
      (admin, v, id) => {
        if (v['enable'] === true && v['disable'] === true)
          throw new CliError('use --enable or --disable, not both', EXIT.usage);
        const events = many(v, 'event');
        const url = optional(v, 'url');
        const changes = {
          ...(url !== undefined ? { url } : {}),
          ...(events.length > 0 ? { event_types: events } : {}),
          ...(v['enable'] === true ? { enabled: true } : v['disable'] === true ? { enabled: false } : {}),
        };
        if (Object.keys(changes).length === 0)
          throw new CliError('name what changes (--url, --event, --enable, --disable)', EXIT.usage);
        return admin.updateWebhook(tenantOf(v), id ?? '', changes);
      },
      'WEBHOOK_ID [--tenant ID] [--url URL] [--event TYPE]… [--enable | --disable]',
      {
        ...fields,
        enable: { type: 'boolean', description: 'switch it on (forgets its failing streak)' },
        disable: { type: 'boolean', description: 'switch it off' },
      },
    ),
    delete: byId((admin, v, id) => admin.deleteWebhook(tenantOf(v), id ?? '')),
    'rotate-secret': {
      ...byId(
        (admin, v, id) => admin.rotateWebhookSecret(tenantOf(v), id ?? '', number(v, 'overlap-seconds')),
        'WEBHOOK_ID [--tenant ID] [--overlap-seconds N]',
        {
          'overlap-seconds': {
            type: 'string',
            description: 'how long the current secret keeps signing beside the new one (default 86400)',
          },
        },
      ),
      secret: true,
    },
    deliveries: byId(
      (admin, v, id) => admin.listWebhookDeliveries(tenantOf(v), id ?? '', number(v, 'limit')),
      'WEBHOOK_ID [--tenant ID] [--limit N]',
      { limit: { type: 'string', description: 'at most this many, newest first (default 50, at most 200)' } },
    ),
    redeliver: byId(
      (admin, v, id) => {
        const delivery = optional(v, 'delivery');
        if (!delivery) throw new CliError('--delivery is required', EXIT.usage);
        return admin.redeliverWebhook(tenantOf(v), id ?? '', delivery);
      },
      'WEBHOOK_ID --delivery DELIVERY_ID [--tenant ID]',
      { delivery: { type: 'string', description: 'the delivery (its webhook-id, msg_…) to send again now' } },
    ),
  },
};
