// The state of each signing key, derived from its stored times alone (publish_at, sign_from,
// retired_at), so every node sharing a database computes the same signing key at the same moment
// without talking to the others (docs/operations.md, "Signing keys and rotation").
import type { SigningKey, SigningKeyState } from '../domain/types.js';

/** The times that drive the states, milliseconds. */
export interface KeyTiming {
  /** How long a token lives once signed, clock tolerance included: a retired key stays published this long. */
  readonly tokenLifetimeMs: number;
  /** How long a new key is published before it signs: JWKS max-age + key reload interval + margin. */
  readonly publishLeadMs: number;
}

/** One key as it stands at a moment. */
export interface KeyStatus {
  readonly key: SigningKey;
  readonly state: SigningKeyState;
  /** When it stopped signing (retired, or superseded by a newer key), if it has. */
  readonly retiredAt: Date | null;
  /** When it leaves the JWKS: its last token has expired. */
  readonly removeAt: Date | null;
}

/**
 * The timing of the settings: a key is published for the JWKS `max-age` plus one key reload (every
 * node has loaded it and every cache has fetched it) plus one more reload as margin before it signs.
 */
export function keyTiming(settings: {
  readonly accessTokenTtl: number;
  readonly clockTolerance: number;
  readonly jwksMaxAge: number;
  readonly keyReloadMs: number;
}): KeyTiming {
  return Object.freeze({
    tokenLifetimeMs: (settings.accessTokenTtl + settings.clockTolerance) * 1000,
    publishLeadMs: settings.jwksMaxAge * 1000 + 2 * settings.keyReloadMs,
  });
}

const newerFirst = (a: SigningKey, b: SigningKey) =>
  b.signFrom.getTime() - a.signFrom.getTime() ||
  b.createdAt.getTime() - a.createdAt.getTime() ||
  (a.kid < b.kid ? -1 : 1);

/**
 * The state of every key at `now`. The signing key is the one with the latest `signFrom` that has
 * passed, among keys neither retired nor removed; an older key that could sign has been superseded at
 * the next such key's `signFrom`, and is removed once its last token has expired. A key recorded as
 * removed stays removed.
 */
export function keyStates(keys: readonly SigningKey[], now: Date, timing: KeyTiming): KeyStatus[] {
  const t = now.getTime();
  const retiredBy = (k: SigningKey) => k.retiredAt !== null && k.retiredAt.getTime() <= t;
  const candidates = keys
    .filter((k) => k.state !== 'removed' && !retiredBy(k) && k.signFrom.getTime() <= t)
    .sort(newerFirst);
  const signing = candidates[0];
  return keys.map((key): KeyStatus => {
    if (key.state === 'removed') return { key, state: 'removed', retiredAt: key.retiredAt, removeAt: null };
    if (key === signing) return { key, state: 'signing', retiredAt: null, removeAt: null };
    let retiredAt: Date | null = null;
    if (retiredBy(key)) retiredAt = key.retiredAt;
    else if (key.signFrom.getTime() <= t) {
      // Superseded at the signFrom of the next key that may still sign (candidates are newest first).
      const successors = candidates.filter(
        (c) => c !== key && c.signFrom.getTime() >= key.signFrom.getTime(),
      );
      retiredAt = successors.at(-1)?.signFrom ?? now;
    }
    if (retiredAt === null) return { key, state: 'published', retiredAt: null, removeAt: null };
    const removeAt = new Date(retiredAt.getTime() + timing.tokenLifetimeMs);
    return { key, state: t >= removeAt.getTime() ? 'removed' : 'retired', retiredAt, removeAt };
  });
}

/** The stored state of each key whose derived state differs (what a node records). */
export function stateChanges(statuses: readonly KeyStatus[]): { kid: string; state: SigningKeyState }[] {
  return statuses.filter((s) => s.state !== s.key.state).map((s) => ({ kid: s.key.kid, state: s.state }));
}
