// A key set held in memory by the caller (an issuer verifying its own tokens): nothing is fetched;
// whenever the caller's JWKS document changes, its keys are imported again.
import { TokenError } from './errors.js';
import type { VerificationKey } from './jose.js';
import { importKeys, type KeySet } from './key-set.js';

/** A JWKS document (RFC 7517 §5), as the caller holds it. */
export interface JwksDocument {
  keys: readonly object[];
}

/**
 * Creates the key set of {@link JwksDocument}s returned by `current`. The document is compared by
 * identity: return the same object until the keys change, then a new one (as a key ring does when
 * it reloads), and the next verification imports the new keys.
 * @see RFC 7517 §5
 */
export function createMemoryKeySet(current: () => JwksDocument): KeySet {
  let doc: JwksDocument | undefined;
  let keys: Map<string, VerificationKey> | undefined;
  let pending: { doc: JwksDocument; keys: Promise<Map<string, VerificationKey>> } | undefined;

  async function load(): Promise<Map<string, VerificationKey>> {
    const now = current();
    if (now === doc && keys) return keys;
    // Concurrent callers of one document share its import.
    if (pending?.doc !== now) {
      pending = { doc: now, keys: importKeys(now) };
    }
    const mine = pending;
    try {
      const imported = await mine.keys;
      if (pending === mine) [doc, keys] = [mine.doc, imported];
      return imported;
    } catch (err) {
      throw new TokenError('jwks_unavailable', 'No signing key is available', { cause: err });
    } finally {
      if (pending === mine) pending = undefined;
    }
  }

  return {
    get loaded() {
      return keys !== undefined;
    },
    async load() {
      await load();
    },
    async key(kid) {
      const found = (await load()).get(kid);
      if (!found) throw new TokenError('kid_unknown', 'The token was signed by an unknown key');
      return found;
    },
    version: current,
  };
}
