// grant_type=password with an access key: username = accessKeyId, password = accessKeySecret. Opens a
// session whose refresh tokens carry it on.

import crypto from 'node:crypto';
import { mustVerifyEmail, UNVERIFIED_EMAIL } from '../domain/email-verification.js';
import { InvalidGrant } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import { parseScope, refuseUnentitledScope } from '../protocol/scope.js';
import type { ThrottleIdentifier } from '../throttling/throttle.js';
import type { TokenResponse } from '../tokens/issuer.js';
import { mintRefreshToken } from '../tokens/refresh-token.js';
import type { GrantContext } from './types.js';

export const grantType = 'password' as const;

export const parameters: readonly string[] = ['username', 'password'];

/** The access key id is throttled from each address (never from every address: its secret is random). */
export function throttleKeys(params: FormParams): readonly ThrottleIdentifier[] {
  const keyId = params['username'];
  return keyId === undefined ? [] : [{ kind: 'access_key', value: keyId }];
}

/** One answer for every way the credentials can be wrong, so none can be told apart. */
const BAD_CREDENTIALS = 'the access key is invalid or inactive';
const DUMMY_HASH = Buffer.alloc(32);

/**
 * Exchanges an access key for tokens. The key, its user and tenant must be active; an application
 * restricted to a tenant serves only that tenant's users.
 * @see RFC 6749 §4.3.2, the reference document "Getting a token"
 */
export async function handler({
  params,
  resource,
  client,
  now,
  log,
  lookups,
  services,
}: GrantContext): Promise<TokenResponse> {
  const { storage, hasher, config, tokens } = services;
  const keyId = params['username'] as string;
  const secret = params['password'] as string;
  const scope = parseScope(params['scope'], client.scopes);
  const owner = await lookups.accessKeyOwner(keyId);
  const ok = hasher.verify(secret, owner?.key.secretHash ?? DUMMY_HASH);
  // A wrong secret or unknown key is a guess (counted by the throttle); an inactive one is not.
  if (!owner || !ok) {
    throw new InvalidGrant(BAD_CREDENTIALS, { kind: 'access_key', id: keyId, known: owner !== undefined });
  }
  const { key, user, tenant } = owner;
  if (key.status !== 'active' || user.status !== 'active' || tenant.status !== 'active') {
    throw new InvalidGrant(BAD_CREDENTIALS);
  }
  // A tenant that requires verified addresses issues nothing to a user who has not verified theirs.
  if (mustVerifyEmail(user, tenant)) throw new InvalidGrant(UNVERIFIED_EMAIL);
  if (client.tenantId !== null && client.tenantId !== tenant.id) {
    throw new InvalidGrant('this application is not available to the tenant of the access key');
  }
  refuseUnentitledScope(scope, client, user);
  const sessionId = crypto.randomUUID();
  const sessionExpiresAt = new Date(now.getTime() + config.tokens.sessionTtl * 1000);
  const refresh = mintRefreshToken(hasher, {
    sessionId,
    scope,
    now,
    ttl: config.tokens.refreshTokenTtl,
    sessionExpiresAt,
  });
  await storage.sessions.create(
    {
      id: sessionId,
      clientId: client.clientId,
      userId: user.id,
      tenantId: tenant.id,
      accessKeyId: key.id,
      scope,
      createdAt: now,
      expiresAt: sessionExpiresAt,
      revokedAt: null,
      revokedReason: null,
    },
    refresh.record,
  );
  // Last use is bookkeeping: it must not slow the response or fail it.
  if (lookups.touchDue(key.id, now)) {
    storage.accessKeys
      .touch(key.id, now)
      .catch((err: unknown) => log.warn({ err }, 'access key touch failed'));
  }
  return tokens.issue({
    resource,
    clientId: client.clientId,
    subject: { kind: 'user', user, tenant, sessionId },
    scope,
    refreshToken: refresh.token,
    now,
    authTime: now,
  });
}
