// Whether a user's remembered consent covers what an application asks for: the one rule the consent
// page (interaction/consent.ts) and the grants that give a third-party app a user's token without a
// page (token exchange) both apply. No Fastify here: grants import it.
import type { Application } from '../domain/types.js';
import type { Storage } from '../storage/contract/index.js';

/** The scopes of a space-separated `scope` value (RFC 6749 §3.3), empty ones dropped. */
export const scopesOf = (scope: string): string[] => scope.split(' ').filter((s) => s !== '');

/**
 * True when `app` may receive `scope` for the user without asking: a first-party app always, any
 * other only within the scopes the user allowed it on the consent page.
 */
export async function consentCovers(
  storage: Pick<Storage, 'consents'>,
  app: Pick<Application, 'clientId' | 'firstParty'>,
  userId: string,
  scope: string,
): Promise<boolean> {
  if (app.firstParty) return true;
  const consent = await storage.consents.get(userId, app.clientId);
  if (!consent) return false;
  const allowed = new Set(consent.scopes);
  return scopesOf(scope).every((s) => allowed.has(s));
}
