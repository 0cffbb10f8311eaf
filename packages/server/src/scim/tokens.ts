// SCIM bearer tokens (RFC 7644 §2, RFC 6750): `cxscim.<id>.<secret>`, 256 random bits, shown once and
// stored as a keyed hash (secrets/random-secrets.ts), checked in constant time and throttled like a
// client secret: a wrong secret counts per (token id, address) and per address, never per token id from
// everywhere; a revoked token or another tenant's has the right secret, is refused and counts nothing.
import crypto from 'node:crypto';
import { Throttled } from '../protocol/errors.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import type { ScimToken } from '../storage/contract/scim.js';
import type { Throttle } from '../throttling/throttle.js';
import { ScimError, unauthorized } from './errors.js';

const PREFIX = 'cxscim';
const TOKEN = /^cxscim\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** A new token for `tenantId`: the record to store, and the bearer value to show once. */
export function newScimToken(
  hasher: Hasher,
  tenantId: string,
  name: string,
  at: Date,
): { record: ScimToken; bearer: string } {
  const id = crypto.randomBytes(16).toString('base64url');
  const secret = generateToken();
  return {
    record: { id, tenantId, name, secretHash: hasher.hash(secret), createdAt: at, revokedAt: null },
    bearer: `${PREFIX}.${id}.${secret}`,
  };
}

export interface ScimAuthDeps {
  readonly storage: Storage;
  readonly hasher: Hasher;
  readonly throttle: Throttle;
}

/** A hash no secret has, so an unknown token id costs the same HMAC as a known one. */
const NO_HASH = Buffer.alloc(32);

/**
 * The token of a request to tenant `tenantId`: a missing, malformed, unknown, revoked or other tenant's
 * token is 401; a delayed (token id, address) or address is 429 with Retry-After.
 */
export async function authenticateScim(
  deps: ScimAuthDeps,
  authorization: string | undefined,
  tenantId: string,
  address: string,
): Promise<ScimToken> {
  const match = /^Bearer +(\S+)$/i.exec(authorization ?? '');
  const parts = match?.[1] ? TOKEN.exec(match[1]) : null;
  if (!parts?.[1] || !parts[2]) throw unauthorized();
  const [, id, secret] = parts as unknown as [string, string, string];
  const identifier = { kind: 'scim_token', value: id } as const;
  let ticket: Awaited<ReturnType<Throttle['check']>>;
  try {
    ticket = await deps.throttle.check({ identifiers: [identifier], address });
  } catch (err) {
    if (err instanceof Throttled) {
      throw new ScimError(429, err.description, undefined, {
        'Retry-After': String(err.retryAfter),
      });
    }
    throw err;
  }
  const token = await deps.storage.scim.getToken(id);
  const matches = deps.hasher.verify(secret, token?.secretHash ?? NO_HASH);
  if (!token || !matches) {
    await deps.throttle.fail(ticket, [identifier], {
      tenantId: token?.tenantId ?? null,
      ...(token ? { known: [identifier] } : {}),
    });
    throw unauthorized();
  }
  // A revoked token, or another tenant's, was not guessed (its secret is right): refused, not counted.
  if (token.revokedAt !== null || token.tenantId !== tenantId) throw unauthorized();
  const tenant = await deps.storage.tenants.get(tenantId);
  if (tenant?.status !== 'active') throw unauthorized('the tenant is not active');
  await deps.throttle.succeed(ticket);
  return token;
}
