// The contract of passkeys: several per user, found by credential ID at sign-in, their counter and
// backup state advanced after each use, removed one by one or all of a user's at once; and the
// challenges of the WebAuthn ceremonies, each spent once.
import type { Passkey } from '../../domain/passkey.js';

export interface PasskeyRepository {
  /** Stores a new passkey; false when its credential ID is registered already (to anyone). */
  create(passkey: Passkey): Promise<boolean>;
  listForUser(userId: string): Promise<Passkey[]>;
  byCredentialId(credentialId: string): Promise<Passkey | undefined>;
  /**
   * Records a use: the new counter and backup state, when the stored counter is still `expected`
   * (of two racing assertions with the same counter, one wins); false otherwise.
   */
  recordUse(
    id: string,
    use: { expected: number; counter: number; backedUp: boolean; at: Date },
  ): Promise<boolean>;
  /** Renames a passkey of `userId`; false when it has none with that id. */
  rename(userId: string, id: string, name: string): Promise<boolean>;
  /** Removes a passkey of `userId`; the removed one, or undefined when it has none with that id. */
  remove(userId: string, id: string): Promise<Passkey | undefined>;
  /** Removes every passkey of `userId`; returns how many. */
  removeAll(userId: string): Promise<number>;
  /** Spends a challenge (by its keyed hash) valid until `expiresAt`; false when it was spent before. */
  spendChallenge(challengeHash: Buffer, expiresAt: Date): Promise<boolean>;
  /** Deletes up to `limit` spent challenges that expired before `at`; returns how many. */
  purgeChallenges(at: Date, limit: number): Promise<number>;
}
