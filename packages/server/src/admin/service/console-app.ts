// The web console's own application: a first-party public client (code flow with PKCE, no secret)
// with a fixed client_id, allowed the admin scope, whose redirect URIs follow the issuer. It exists
// on every database the service runs on, like the default area (docs/console.md).
import type { Application } from '../../domain/types.js';
import { ADMIN_SCOPE, DEFAULT_APP_SCOPES } from '../../protocol/scope.js';
import type { Storage } from '../../storage/contract/index.js';
import { StorageConstraintError } from '../../storage/errors.js';

/** The console's client_id, the same on every installation. */
export const CONSOLE_CLIENT_ID = 'cxauth-console';

/** The path the console is served under. */
export const CONSOLE_PATH = '/console/';

function consoleLists(issuer: string) {
  const base = `${issuer.replace(/\/+$/, '')}${CONSOLE_PATH}`;
  return { redirectUris: [`${base}callback`], postLogoutRedirectUris: [base] };
}

/**
 * Creates the console's application when missing, and points its redirect URIs at `issuer` when the
 * issuer changed since. Two nodes starting at once both try: the loser of the insert finds the row.
 * Its status is left alone, so operators can switch the console off (`admin app disable`).
 * @see RFC 8252 §8.4 (public clients), RFC 7636 (PKCE)
 */
export async function ensureConsoleApp(
  storage: Storage,
  config: { readonly issuer: string },
  now: Date = new Date(),
): Promise<Application> {
  const lists = consoleLists(config.issuer);
  const existing = await storage.applications.get(CONSOLE_CLIENT_ID);
  if (existing) {
    const same =
      existing.redirectUris.join(' ') === lists.redirectUris.join(' ') &&
      existing.postLogoutRedirectUris.join(' ') === lists.postLogoutRedirectUris.join(' ');
    if (same && existing.firstParty) return existing;
    const next = { ...existing, ...lists, firstParty: true, updatedAt: now };
    await storage.applications.update(next);
    return next;
  }
  const app: Application = {
    clientId: CONSOLE_CLIENT_ID,
    type: 'public',
    secretHash: null,
    name: 'cxauth console',
    origins: [],
    grantTypes: ['authorization_code', 'refresh_token'],
    ...lists,
    scopes: [...DEFAULT_APP_SCOPES, ADMIN_SCOPE],
    tenancy: 'all',
    tenantId: null,
    firstParty: true,
    status: 'active',
    createdAt: now,
    updatedAt: now,
  };
  try {
    await storage.applications.create(app);
  } catch (err) {
    if (!(err instanceof StorageConstraintError)) throw err;
    return (await storage.applications.get(CONSOLE_CLIENT_ID)) ?? app;
  }
  return app;
}
