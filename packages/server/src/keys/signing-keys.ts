// The signing keys as the service uses them: the first key, loading the signing key and the published
// JWKS, rotation (by hand or every CXAUTH_KEY_ROTATION_DAYS) and retirement. Every change runs under
// the repository's lock, so nodes sharing a database act once between them.
import crypto from 'node:crypto';
import type { SigningAlg, SigningKeyState } from '../domain/types.js';
import type { Storage } from '../storage/contract/index.js';
import { generateKeyMaterial, generateSigningKey, type KeyMaterial, scheduledKey } from './generate.js';
import { decrypt } from './kek.js';
import type { ActiveKey } from './signer.js';
import { type KeyStatus, type KeyTiming, keyStates, stateChanges } from './states.js';

export { generateSigningKey, rsaThumbprint, thumbprint } from './generate.js';

/** A published JWK: public members, kid, alg and use only (RFC 7517 §4). */
export type PublicJwk = { kid: string; alg: SigningAlg; use: 'sig' } & (
  | { kty: 'RSA'; n: string; e: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  | { kty: 'OKP'; crv: 'Ed25519'; x: string }
);

export interface LoadedKeys {
  /** The key that signs now. */
  active: ActiveKey;
  /** Every published key (published, signing, retired), public members only (RFC 7517 §5). */
  jwks: { keys: PublicJwk[] };
  /** Every key with its state, for listing and metrics. */
  statuses: readonly KeyStatus[];
}

/** Tokens live an hour (+30 s tolerance); a key is published 7 minutes before it signs. */
export const DEFAULT_KEY_TIMING: KeyTiming = Object.freeze({
  tokenLifetimeMs: 3630_000,
  publishLeadMs: 420_000,
});

/** A refused key change (e.g. retiring the last key that can sign); the message says what to do. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

function published(statuses: readonly KeyStatus[]): PublicJwk[] {
  return statuses
    .filter((s) => s.state !== 'removed')
    .map(({ key }) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' }) as PublicJwk);
}

/**
 * Creates a key that signs at once when no key signs or waits to sign (a fresh database). Nodes racing
 * here create one key between them: the check and the insert hold the repository's lock. A first key
 * precedes no token, so it is dated one publication lead back: a node whose clock lags a little behind
 * the one that created it can sign with it too.
 */
export async function ensureActiveSigningKey(
  storage: Storage,
  kek: Buffer,
  now: Date,
  alg: SigningAlg = 'RS256',
  timing: KeyTiming = DEFAULT_KEY_TIMING,
): Promise<boolean> {
  const inUse = (keys: Parameters<typeof keyStates>[0]) =>
    keyStates(keys, now, timing).some((s) => s.state === 'signing' || s.state === 'published');
  if (inUse(await storage.signingKeys.list())) return false;
  // Another node may win the race while this one generates: its key is then the one every node uses.
  const since = new Date(now.getTime() - timing.publishLeadMs);
  const key = await generateSigningKey(kek, now, alg, { publishAt: since, signFrom: since });
  return storage.signingKeys.change((keys) =>
    inUse(keys) ? { result: false } : { result: true, create: key },
  );
}

/**
 * Loads the key that signs at `now` (decrypted) and the JWKS of every published key. Throws when no
 * key can sign (call {@link ensureActiveSigningKey} first) or when the KEK cannot open it.
 */
export async function loadSigningKeys(
  storage: Storage,
  kek: Buffer,
  now: Date = new Date(),
  timing: KeyTiming = DEFAULT_KEY_TIMING,
): Promise<LoadedKeys> {
  const statuses = keyStates(await storage.signingKeys.list(), now, timing);
  const signing = statuses.find((s) => s.state === 'signing')?.key;
  if (!signing) throw new Error('no signing key can sign now');
  const der = decrypt(kek, signing.privateKeyEncrypted, signing.kid);
  const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return {
    active: { kid: signing.kid, alg: signing.alg, privateKey },
    jwks: { keys: published(statuses) },
    statuses,
  };
}

/**
 * Records the derived states that changed (a key now signing, retired or removed) and returns them:
 * under the lock, so of many nodes only the first to see a change records (and reports) it.
 */
export async function recordKeyStates(
  storage: Storage,
  now: Date,
  timing: KeyTiming,
): Promise<{ kid: string; state: SigningKeyState }[]> {
  return storage.signingKeys.change((keys) => {
    const states = stateChanges(keyStates(keys, now, timing));
    return { result: states, states };
  });
}

/**
 * Publishes `material` (a new key, generated before the caller's unit of work) now; it signs once it
 * has been published `timing.publishLeadMs`, so every verifier has it before any token carries its
 * kid. Returns it with its state.
 */
export async function rotateSigningKey(
  storage: Storage,
  material: KeyMaterial,
  now: Date,
  timing: KeyTiming,
  /** When given, the rotation happens only if this still holds under the lock (automatic rotation). */
  due?: (statuses: readonly KeyStatus[]) => boolean,
): Promise<KeyStatus | undefined> {
  const key = scheduledKey(material, now, {
    publishAt: now,
    signFrom: new Date(now.getTime() + timing.publishLeadMs),
  });
  return storage.signingKeys.change((keys) => {
    const statuses = keyStates(keys, now, timing);
    if (due && !due(statuses)) return { result: undefined };
    // With no key in use, no verifier holds any: the new key is a first key and signs at once.
    const first = !statuses.some((s) => s.state === 'signing' || s.state === 'published');
    const since = new Date(now.getTime() - timing.publishLeadMs);
    const made = first ? { ...key, publishAt: since, signFrom: since, state: 'signing' as const } : key;
    return { result: { key: made, state: made.state, retiredAt: null, removeAt: null }, create: made };
  });
}

/** Runs a storage change, e.g. in a unit of work with its events (`keyChange`). */
export type KeyCommit = (change: () => Promise<KeyStatus | undefined>) => Promise<KeyStatus | undefined>;

/**
 * Rotates when the newest key still in use was published `rotationDays` ago or more; of many nodes
 * checking at once, one creates the key. The check is made twice: before the key pair is generated
 * (outside any unit of work, as generating takes long), and under the lock inside `commit`. Returns
 * the new key, if this node created one.
 */
export async function rotateIfDue(
  storage: Storage,
  kek: Buffer,
  now: Date,
  options: { alg: SigningAlg; timing: KeyTiming; rotationDays: number },
  commit: KeyCommit = (change) => change(),
): Promise<KeyStatus | undefined> {
  if (options.rotationDays <= 0) return undefined;
  const cutoff = now.getTime() - options.rotationDays * 86_400_000;
  const due = (statuses: readonly KeyStatus[]) =>
    !statuses.some(
      (s) => (s.state === 'signing' || s.state === 'published') && s.key.publishAt.getTime() > cutoff,
    );
  if (!due(keyStates(await storage.signingKeys.list(), now, options.timing))) return undefined;
  const material = await generateKeyMaterial(kek, options.alg);
  return commit(() => rotateSigningKey(storage, material, now, options.timing, due));
}

/**
 * Retires `kid` now (it stays published until its last token has expired). Refused for the key that
 * signs now: retiring it would hand signing back to an older key (one it superseded, which may be the
 * very key rotated away from) or leave none. Rotate first, and retire a key once the newer one signs.
 */
export async function retireSigningKey(
  storage: Storage,
  kid: string,
  now: Date,
  timing: KeyTiming,
): Promise<KeyStatus> {
  return storage.signingKeys.change((keys) => {
    const before = keyStates(keys, now, timing);
    const target = before.find((s) => s.key.kid === kid);
    if (!target) throw new SigningKeyError(`no signing key with kid "${kid}"`);
    if (target.state === 'removed' || target.state === 'retired') {
      throw new SigningKeyError(`signing key ${kid} is already ${target.state}`);
    }
    if (target.state === 'signing') {
      const next = before.find((s) => s.state === 'published' && s.key.signFrom > target.key.signFrom);
      throw new SigningKeyError(
        next
          ? `signing key ${kid} is the current signer; ${next.key.kid} signs from ${next.key.signFrom.toISOString()}: retire ${kid} after that`
          : `signing key ${kid} is the current signer: rotate first (\`cxauth admin signing-key rotate\`) and retire it once the new key signs`,
      );
    }
    // Keys already past their removal stay removed: they are gone from verifiers' caches.
    const after = keyStates(
      before.map((s) => ({
        ...s.key,
        state: s.state === 'removed' ? 'removed' : s.key.state,
        retiredAt: s.key.kid === kid ? now : s.key.retiredAt,
      })),
      now,
      timing,
    );
    // A key that does not sign now cannot change who signs now; kept as a guard for the invariant.
    const signer = (list: readonly KeyStatus[]) => list.find((s) => s.state === 'signing')?.key.kid;
    if (signer(after) !== signer(before)) {
      throw new SigningKeyError(
        `retiring ${kid} would change the signing key: rotate first (\`cxauth admin signing-key rotate\`)`,
      );
    }
    const status = after.find((s) => s.key.kid === kid) as KeyStatus;
    const stored = new Map(keys.map((k) => [k.kid, k.state]));
    const states = after
      .filter((s) => s.key.kid !== kid && s.state !== stored.get(s.key.kid))
      .map((s) => ({ kid: s.key.kid, state: s.state }));
    return { result: status, retire: { kid, at: now }, states };
  });
}

/** Every key with its state at `now`, newest first. */
export async function listSigningKeys(storage: Storage, now: Date, timing: KeyTiming): Promise<KeyStatus[]> {
  return keyStates(await storage.signingKeys.list(), now, timing);
}
