// grant_type=client_credentials: a backend application bound to one tenant gets an access token for
// itself (`sub: app:<client_id>`, the tenant's claims), with no refresh token and no id_token.
// No session is opened: the token is short-lived, stands for the application alone, and ends with it
// (deactivating the application or its tenant stops it at introspection and on the revocation feed),
// so a session row per token would be a write per grant that nothing could ever refresh.
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { parseScope, USER_SCOPES } from '../protocol/scope.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenResponse } from '../tokens/issuer.js';
import type { GrantContext } from './types.js';

export const grantType = 'client_credentials' as const;

/** Nothing but the client authenticates here, and the client id is throttled for every grant. */
export function throttleKeys(_params: FormParams): readonly ThrottleIdentifier[] {
  return [];
}

export const parameters: readonly string[] = [];

/**
 * Issues an access token for the authenticated application on behalf of its tenant. Only the
 * application's non-user scopes may be asked for (there is no user: no openid, profile, email or
 * offline_access); none asked for grants none.
 * @see RFC 6749 §4.4, docs/verify.md (application subjects)
 */
export async function handler({
  params,
  resource,
  client,
  now,
  services,
  lookups,
}: GrantContext): Promise<TokenResponse> {
  // The token endpoint already refused every application but a single-tenant backend (app-types.ts).
  if (client.tenantId === null) {
    throw new OAuthError('unauthorized_client', 'client_credentials needs an application bound to a tenant');
  }
  // Cached, and as current as an uncached read: a change to a tenant grows the revision this request
  // read (docs/storage.md, "The revision").
  const tenant = await lookups.tenant(client.tenantId);
  if (tenant?.status !== 'active') throw new InvalidGrant('the tenant of this application is not active');
  const allowed = client.scopes.filter((s) => !USER_SCOPES.includes(s));
  const scope = parseScope(params['scope'], allowed, '');
  return services.tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'app', application: client, tenant },
    scope,
    now,
  });
}
