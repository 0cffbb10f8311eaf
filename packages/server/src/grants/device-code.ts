// grant_type=urn:ietf:params:oauth:grant-type:device_code: the device polls with its device code until
// the person at the verification page approved (tokens, once), denied (access_denied) or let it expire
// (expired_token); polling faster than the interval raises it (slow_down).
import crypto from 'node:crypto';
import { DEVICE_CODE } from '../domain/app-types.js';
import type { Session } from '../domain/types.js';
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { refuseUnentitledScope } from '../protocol/scope.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import { SLOW_DOWN_PENALTY } from '../tokens/device-code.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { mintRefreshToken } from '../tokens/refresh-token.js';
import { type GrantContext, sessionKeyOf } from './types.js';

export const grantType = DEVICE_CODE;

/**
 * Nothing: a device code is 256 random bits, so a bogus one is not a guess and counts nothing (the
 * client id and the address still count, as for every grant).
 */
export function throttleKeys(_params: FormParams): readonly ThrottleIdentifier[] {
  return [];
}

export const parameters: readonly string[] = ['device_code'];

const INVALID = 'the device code is invalid or was used';

/**
 * Exchanges an approved device code for tokens; otherwise says why not yet, or why never.
 * @see RFC 8628 §3.4 and §3.5
 */
export async function handler(context: GrantContext): Promise<TokenResponse> {
  const { params, client, now, services } = context;
  const { storage, hasher, config, tokens } = services;
  const found = await storage.deviceAuthorizations.byDeviceCode(hasher.hash(params['device_code'] as string));
  // Another application's device code is as unknown as a made-up one (RFC 8628 §3.4: bound to its client).
  if (!found || found.clientId !== client.clientId || found.status === 'used') {
    throw new InvalidGrant(INVALID);
  }
  if (found.expiresAt <= now) {
    throw new OAuthError('expired_token', 'the device code has expired: start again');
  }
  if (found.status === 'denied') throw new OAuthError('access_denied', 'the user denied the request');
  if (found.status === 'pending') {
    const poll = await storage.deviceAuthorizations.poll(found.id, now, SLOW_DOWN_PENALTY);
    if (poll.outcome === 'slow_down') {
      throw new OAuthError('slow_down', `poll at most every ${poll.interval} seconds`);
    }
    throw new OAuthError('authorization_pending', 'the user has not answered yet');
  }
  const { approval } = found;
  if (!approval) throw new InvalidGrant(INVALID);
  const sessionId = crypto.randomUUID();
  if (!(await storage.deviceAuthorizations.claim(found.id, sessionId, now))) throw new InvalidGrant(INVALID);
  const [user, tenant] = await Promise.all([
    storage.users.get(approval.userId),
    storage.tenants.get(approval.tenantId),
  ]);
  if (user?.status !== 'active' || tenant?.status !== 'active' || user.tenantId !== tenant.id) {
    throw new InvalidGrant(INVALID);
  }
  // The tenant boundary, checked again here: a single-tenant app serves its own tenant's users only.
  if (client.tenantId !== null && client.tenantId !== tenant.id) throw new InvalidGrant(INVALID);
  refuseUnentitledScope(found.scope, client, user);
  if (context.resource !== undefined && found.resource !== null && context.resource !== found.resource) {
    throw new OAuthError('invalid_target', 'the resource differs from the device authorization request');
  }
  const resource = context.resource ?? found.resource ?? undefined;
  const session: Session = {
    id: sessionId,
    clientId: client.clientId,
    userId: user.id,
    tenantId: tenant.id,
    accessKeyId: null,
    scope: found.scope,
    createdAt: now,
    expiresAt: new Date(now.getTime() + config.tokens.sessionTtl * 1000),
    revokedAt: null,
    revokedReason: null,
    ...sessionKeyOf(context),
  };
  const refresh = mintRefreshToken(hasher, {
    sessionId,
    scope: found.scope,
    now,
    ttl: config.tokens.refreshTokenTtl,
    sessionExpiresAt: session.expiresAt,
  });
  await storage.sessions.create(session, refresh.record);
  // Linked to the approving sign-in: logging out there ends this session too (as for a code).
  await storage.signIn.linkSession({
    sessionId,
    signInId: approval.signInId,
    authTime: approval.authTime,
    amr: approval.amr,
  });
  // Approved in a browser sign-in that has since ended (logout) or expired: nothing opens. Read after
  // the link, so a logout racing this exchange either sees the link and ends the session, or is seen here.
  const signIn = await storage.signIn.signIn(approval.signInId);
  if (!signIn || signIn.endedAt !== null || signIn.expiresAt <= now || signIn.userId !== user.id) {
    await storage.sessions.revoke(sessionId, 'sign-in ended', now);
    throw new InvalidGrant(INVALID);
  }
  return tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'user', user, tenant, sessionId },
    scope: found.scope,
    refreshToken: refresh.token,
    now,
    authTime: approval.authTime,
    amr: approval.amr,
  });
}
