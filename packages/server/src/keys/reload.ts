// Periodic reload of the signing keys from storage, so every node sharing a database publishes,
// verifies with and signs with the same keys.
import type { FastifyInstance } from 'fastify';
import { KEY_RELOAD_MS, type KeyRing } from './key-ring.js';
import type { LoadedKeys } from './signing-keys.js';

/**
 * Reloads the keys every KEY_RELOAD_MS, so a key added or retired by another node sharing the database
 * is published, verified and (when newest) used here too. A failed reload keeps the current keys.
 */
export function scheduleKeyReload(
  app: FastifyInstance,
  ring: KeyRing,
  reload: (() => Promise<LoadedKeys>) | undefined,
): void {
  if (!reload) return;
  const timer = setInterval(() => {
    reload()
      .then((keys) => ring.update(keys))
      .catch((err: unknown) => app.log.warn({ err }, 'signing key reload failed; keeping the current keys'));
  }, KEY_RELOAD_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
