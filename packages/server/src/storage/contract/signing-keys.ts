// The contract of the signing-keys aggregate: public JWKs, KEK-encrypted private keys, and the times
// of each key's life (keys/states.ts reads them).
import type { SigningKey, SigningKeyState } from '../../domain/types.js';

/** What {@link SigningKeyRepository.change} writes, decided from the keys it read under the lock. */
export interface SigningKeyChange<T> {
  readonly result: T;
  readonly create?: SigningKey;
  readonly retire?: { readonly kid: string; readonly at: Date };
  /** States to record (as derived by keys/states.ts). */
  readonly states?: readonly { readonly kid: string; readonly state: SigningKeyState }[];
}

export interface SigningKeyRepository {
  create(key: SigningKey): Promise<void>;
  /**
   * Reads every key and writes what `decide` returns, in one transaction that only one node at a
   * time may hold, so nodes deciding together (the first key, the next rotation, a retirement that
   * must leave a key to sign) act once between them.
   */
  change<T>(decide: (keys: readonly SigningKey[]) => SigningKeyChange<T>): Promise<T>;
  /** All keys, newest first. */
  list(): Promise<SigningKey[]>;
  /** Records the state keys/states.ts derived (idempotent: every node writes the same). */
  setState(kid: string, state: SigningKeyState): Promise<boolean>;
}
