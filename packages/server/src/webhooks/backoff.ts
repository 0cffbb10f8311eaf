// When a failed delivery is tried again: exponential backoff with jitter, for 24 hours from the event;
// a subscription whose every attempt has failed for 5 days is switched off (docs/webhooks.md).

/** The first retry's delay, and the longest between two attempts, ms. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_CAP_MS = 2 * 3600_000;
/** How long a delivery is retried from its event's time. */
export const RETRY_WINDOW_MS = 24 * 3600_000;
/** How long a subscription may fail without a success before it is switched off. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600_000;

/**
 * The delay after failed attempt `attempt` (1 for the first): base × 2^(attempt−1), capped, of which
 * a random half is kept ("equal jitter"), so receivers coming back are not hit by every node at once.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const full = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 30));
  return Math.round(full / 2 + random() * (full / 2));
}
