// The web console's own application: a first-party public client (code flow with PKCE, no secret)
// with a fixed client_id, allowed the admin scope, with one redirect URI per issuer it has been served
// from. It exists on every database the service runs on, like the default area (docs/console.md).
import type { Application } from '../../domain/types.js';
import { ADMIN_SCOPE, DEFAULT_APP_SCOPES } from '../../protocol/scope.js';
import type { Storage } from '../../storage/contract/index.js';
import { StorageConstraintError } from '../../storage/errors.js';

/** The console's client_id, the same on every installation. */
export const CONSOLE_CLIENT_ID = 'cxauth-console';

/** The path the console is served under. */
export const CONSOLE_PATH = '/console/';

/** Where an issuer serves its console. */
export const consoleUrl = (issuer: string): string => `${issuer.replace(/\/+$/, '')}${CONSOLE_PATH}`;

function consoleLists(issuer: string) {
  const base = consoleUrl(issuer);
  return { redirectUris: [`${base}callback`], postLogoutRedirectUris: [base] };
}

/** `list` with the entries of `more` it lacks appended, in order (nothing removed). */
function withAll(list: readonly string[], more: readonly string[]): string[] {
  return [...list, ...more.filter((uri) => !list.includes(uri))];
}

/**
 * Creates the console's application when missing, and adds this issuer's redirect URIs when they are
 * not registered yet. URIs are only ever added, never replaced: a node started with another issuer (a
 * second node, a changed CXAUTH_ISSUER) must not unregister the console of the nodes already serving,
 * and an operator's own URIs stay. Registered URIs rather than ones derived from each request's Host:
 * a redirect URI taken from a request header would let anyone who can reach a node choose where its
 * codes go. Two nodes starting at once both try: the loser of the insert finds the row. Its status is
 * left alone, so operators can switch the console off (`admin app deactivate`).
 * @see RFC 8252 §8.4 (public clients), RFC 7636 (PKCE), RFC 6749 §3.1.2.2 (registered redirect URIs)
 */
export async function ensureConsoleApp(
  storage: Storage,
  config: { readonly issuer: string },
  now: Date = new Date(),
): Promise<Application> {
  const lists = consoleLists(config.issuer);
  const existing = await storage.applications.get(CONSOLE_CLIENT_ID);
  if (existing) {
    const redirectUris = withAll(existing.redirectUris, lists.redirectUris);
    const postLogoutRedirectUris = withAll(existing.postLogoutRedirectUris, lists.postLogoutRedirectUris);
    if (
      redirectUris.length === existing.redirectUris.length &&
      postLogoutRedirectUris.length === existing.postLogoutRedirectUris.length &&
      existing.firstParty
    ) {
      return existing;
    }
    const next = { ...existing, redirectUris, postLogoutRedirectUris, firstParty: true, updatedAt: now };
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
