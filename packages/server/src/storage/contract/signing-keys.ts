// The contract of the signing-keys aggregate: public JWKs and KEK-encrypted private keys.
import type { SigningKey, Status } from '../../domain/types.js';

export interface SigningKeyRepository {
  create(key: SigningKey): Promise<void>;
  /**
   * Stores `key` only when no key is active, atomically across nodes sharing the database; returns
   * whether it was stored. Of nodes starting together on a fresh database, exactly one creates a key.
   */
  createIfNoneActive(key: SigningKey): Promise<boolean>;
  /** All keys, newest first. */
  list(): Promise<SigningKey[]>;
  setStatus(kid: string, status: Status): Promise<boolean>;
}
