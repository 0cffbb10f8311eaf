// Webhook delivery settings (docs/webhooks.md): whether private targets are allowed, and the worker's
// pace. Only CXAUTH_WEBHOOK_ALLOW_PRIVATE is read from the environment; the rest are code defaults that
// tests shorten.
import { ConfigError } from './env.js';

export interface WebhookConfig {
  /**
   * CXAUTH_WEBHOOK_ALLOW_PRIVATE (default off): allow targets on private, loopback, link-local and
   * metadata addresses (a receiver on the same host or network).
   */
  readonly allowPrivate: boolean;
  /** How often an idle worker looks for due deliveries, ms. */
  readonly pollMs: number;
  /** The longest one delivery attempt may take (connect, send, answer), ms. */
  readonly timeoutMs: number;
  /** Deliveries in flight at once on one node. */
  readonly concurrency: number;
  /** How long a node holds a claimed delivery before another node may take it, ms (> timeoutMs). */
  readonly leaseMs: number;
}

export const WEBHOOK_DEFAULTS: WebhookConfig = Object.freeze({
  allowPrivate: false,
  pollMs: 1000,
  timeoutMs: 10_000,
  concurrency: 8,
  leaseMs: 60_000,
});

/** Reads CXAUTH_WEBHOOK_ALLOW_PRIVATE (`on` or `off`). */
export function webhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const raw = env['CXAUTH_WEBHOOK_ALLOW_PRIVATE'];
  let allowPrivate = WEBHOOK_DEFAULTS.allowPrivate;
  if (raw !== undefined && raw !== '') {
    if (['on', 'true', '1'].includes(raw)) allowPrivate = true;
    else if (['off', 'false', '0'].includes(raw)) allowPrivate = false;
    else throw new ConfigError(`CXAUTH_WEBHOOK_ALLOW_PRIVATE must be on or off; it is "${raw}".`);
  }
  return Object.freeze({ ...WEBHOOK_DEFAULTS, allowPrivate });
}
