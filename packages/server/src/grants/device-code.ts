// grant_type=urn:ietf:params:oauth:grant-type:device_code: the device polls with its device code until
// the person at the verification page approved (tokens, once), denied (access_denied) or let it expire
// (expired_token); polling faster than the interval raises it (slow_down).
import crypto from 'node:crypto';
import { DEVICE_CODE } from '../domain/app-types.js';
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import { SLOW_DOWN_PENALTY } from '../tokens/device-code.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { openSignedInSession } from './signed-in.js';
import type { GrantContext } from './types.js';

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
  const { storage, hasher, tokens } = services;
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
  const { user, tenant, resource, refreshToken } = await openSignedInSession(
    context,
    { ...approval, scope: found.scope, resource: found.resource },
    { sessionId, invalid: INVALID, what: 'device authorization request' },
  );
  // A federated sign-in's IdP rides along in the id_token as after a code (docs/sso.md).
  const idp = (await storage.signIn.signIn(approval.signInId))?.idp ?? undefined;
  return tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'user', user, tenant, sessionId },
    scope: found.scope,
    refreshToken,
    now,
    authTime: approval.authTime,
    amr: approval.amr,
    idp,
  });
}
