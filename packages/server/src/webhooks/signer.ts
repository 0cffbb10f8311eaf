// Signing deliveries per Standard Webhooks (the `standardwebhooks` library is this server's one seam to
// it): `whsec_` secrets, and `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64
// HMAC-SHA256 of "id.timestamp.body">` headers. Secrets are sealed with the KEK at rest (keys/kek.ts).
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { decrypt, encrypt } from '../keys/kek.js';

/** A new signing secret: `whsec_` and the base64 of 24 random bytes (Standard Webhooks §Signature). */
export function generateWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

/** The secret sealed for one subscription: the blob cannot be moved to another one. */
export function sealSecret(kek: Buffer, subscriptionId: string, secret: string): Buffer {
  return encrypt(kek, Buffer.from(secret, 'utf8'), `webhook:${subscriptionId}`);
}

export function openSecret(kek: Buffer, subscriptionId: string, sealed: Buffer): string {
  return decrypt(kek, sealed, `webhook:${subscriptionId}`).toString('utf8');
}

/**
 * The headers of one attempt. With more than one secret (a rotation's overlap) the signature header
 * holds one `v1,` signature per secret, space-separated; a receiver accepts any that it can verify.
 */
export function signedHeaders(
  secrets: readonly string[],
  id: string,
  at: Date,
  payload: string,
): Record<string, string> {
  // Whole seconds: the signed timestamp is the header's value.
  const when = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, when, payload)).join(' '),
  };
}
