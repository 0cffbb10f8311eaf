// Refresh tokens: opaque random strings handed out once and stored only as their keyed hash.

import type { RefreshToken } from '../domain/types.js';
import type { Hasher } from '../secrets/hasher.js';
import { generateToken } from '../secrets/random-secrets.js';

/**
 * Mints a refresh token for `sessionId`: the token (for the client) and its record (for storage).
 * It expires after `ttl` seconds, never after the session itself.
 * @see RFC 6749 §10.4, RFC 9700 §4.14.2 (rotation)
 */
export function mintRefreshToken(
  hasher: Hasher,
  input: { sessionId: string; scope: string; now: Date; ttl: number; sessionExpiresAt: Date },
): { token: string; record: RefreshToken } {
  const token = generateToken();
  const expiresAt = new Date(
    Math.min(input.now.getTime() + input.ttl * 1000, input.sessionExpiresAt.getTime()),
  );
  return {
    token,
    record: {
      tokenHash: hasher.hash(token),
      sessionId: input.sessionId,
      scope: input.scope,
      createdAt: input.now,
      expiresAt,
      usedAt: null,
    },
  };
}
