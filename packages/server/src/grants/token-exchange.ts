// grant_type=urn:ietf:params:oauth:grant-type:token-exchange: an application presents a user's access
// token issued to another application (of a tenant it serves) and gets an access token of its own
// for the same user. The new token keeps the subject token's session (`sid`): it is a view of the
// same sign-in, so logging out, revoking or any deactivation ends both at once, and no session is
// written per exchange. No refresh token and no id_token: the caller exchanges again when it needs to.
// An app that is not first-party never gets an operator's token, and a user-facing one only what the
// user allowed it on the consent page (interaction/consent-rules.ts).

import { TOKEN_EXCHANGE } from '../domain/app-types.js';
import { mustVerifyEmail, UNVERIFIED_EMAIL } from '../domain/email-verification.js';
import { consentCovers } from '../interaction/consent-rules.js';
import { InvalidGrant, InvalidRequest, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { parseScope, refuseUnentitledScope } from '../protocol/scope.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { liveToken, verifiedClaims } from '../tokens/liveness.js';
import type { GrantContext } from './types.js';

export const grantType = TOKEN_EXCHANGE;

/**
 * No identifier of its own: the subject token is a signed JWT that no guess can forge, and the client
 * id that must accompany it is throttled for every grant.
 */
export function throttleKeys(_params: FormParams): readonly ThrottleIdentifier[] {
  return [];
}

export const parameters: readonly string[] = ['subject_token', 'subject_token_type'];

/** The only token type this service takes and issues. @see RFC 8693 §3 */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** One answer for every subject token that cannot be used, so none can be told apart. */
const UNUSABLE = 'the subject_token is not an active access token of a user this client may act for';

/**
 * The access token's audience is this service's one audience: an `audience` or `resource` naming
 * anything else cannot be honoured.
 * @see RFC 8693 §2.1 and §2.2.2 (`invalid_target`), RFC 8707 §2
 */
function checkTarget(params: GrantContext['params'], audience: string): void {
  const resource = params['resource'];
  if (resource !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(resource);
    } catch {
      url = undefined;
    }
    if (!url || url.hash) throw new OAuthError('invalid_target', 'resource must be an absolute URI');
  }
  for (const target of [params['audience'], resource]) {
    if (target !== undefined && target !== audience) {
      throw new OAuthError('invalid_target', 'tokens of this service are issued only for its own audience');
    }
  }
}

/**
 * Exchanges a user's access token for one issued to the calling application.
 * @see RFC 8693 §2
 */
export async function handler({
  params,
  resource,
  client,
  now,
  services,
}: GrantContext): Promise<TokenResponse> {
  if (params['subject_token_type'] !== ACCESS_TOKEN_TYPE) {
    throw new InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  const requested = params['requested_token_type'];
  if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE) {
    throw new InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  // Delegation (an actor acting for the subject, RFC 8693 §1.1) is not offered.
  if (params['actor_token'] !== undefined || params['actor_token_type'] !== undefined) {
    throw new InvalidRequest('actor_token is not supported');
  }
  checkTarget(params, services.config.tokens.audience);
  const verified = await verifiedClaims(services.verifier, params['subject_token'] as string);
  if (!('claims' in verified)) throw new InvalidRequest(UNUSABLE);
  // A DPoP-bound token is usable only with a proof of its key (RFC 9449 §7): exchanging it here would
  // turn a stolen bound token into a bearer token of another application.
  if (verified.claims.cnf !== undefined) {
    throw new InvalidRequest('a DPoP-bound subject_token cannot be exchanged');
  }
  const live = await liveToken(services.storage, verified.claims, now);
  if (live?.kind !== 'user') throw new InvalidRequest(UNUSABLE);
  if (mustVerifyEmail(live.user, live.tenant)) throw new InvalidGrant(UNVERIFIED_EMAIL);
  // A tenant-bound application acts only for its own tenant's users.
  if (client.tenantId !== null && client.tenantId !== live.tenant.id) throw new InvalidRequest(UNUSABLE);
  // The new token may carry only what the subject token had and the calling app may request.
  const granted = live.claims.scope.split(' ').filter((s) => s !== '' && client.scopes.includes(s));
  const scope = parseScope(params['scope'], granted, granted.join(' '));
  refuseUnentitledScope(scope, client, live.user);
  if (!client.firstParty) {
    // An app the platform does not run (a tenant's Administrator may register one) never acts as a
    // platform operator: it would hold what the Administrator may not touch (docs/admin-api.md).
    if (live.user.operator) throw new InvalidRequest(UNUSABLE);
    // A user-facing app gets only what its user allowed it on the consent page (RFC 9700 §2.3); a
    // backend app, which has no page, is bound to one tenant and acts for that tenant's users.
    if (client.type !== 'backend' && !(await consentCovers(services.storage, client, live.user.id, scope))) {
      throw new InvalidGrant('the user has not allowed this application that scope (consent)');
    }
  }
  return services.tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'user', user: live.user, tenant: live.tenant, sessionId: live.session.id },
    scope,
    now,
    authTime: live.session.createdAt,
    idToken: false,
  });
}
