// Periodic reload of the signing keys from storage, so every node sharing a database publishes,
// verifies with and signs with the same keys, and switches to a new key at the time stored with it.
// The same timer rotates the key when CXAUTH_KEY_ROTATION_DAYS have passed.
import type { Logger } from '../domain/logger.js';
import type { KeyRing } from './key-ring.js';
import type { LoadedKeys } from './signing-keys.js';

/**
 * Reloads the keys every `intervalMs`, so a key added or retired by another node sharing the database
 * is published, verified and (once its time has come) used here too. A failed reload keeps the current
 * keys. `reload` may also rotate and record states (see keys/rotation.ts). Returns what stops it.
 */
export function scheduleKeyReload(
  log: Logger,
  ring: KeyRing,
  reload: (() => Promise<LoadedKeys>) | undefined,
  intervalMs: number,
): () => void {
  if (!reload) return () => {};
  let running = false;
  const timer = setInterval(() => {
    // A slow database must not stack reloads on top of each other.
    if (running) return;
    running = true;
    reload()
      .then((keys) => ring.update(keys))
      .catch((err: unknown) => log.warn({ err }, 'signing key reload failed; keeping the current keys'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
