// The proofs a token endpoint accepted (RFC 9449 §11.1), shared by every node, so a replayed proof is
// refused wherever it arrives.

export interface DpopProofRepository {
  /**
   * Records a proof by its keyed hash until `expiresAt`; true when it was not recorded before (one
   * insert: of two nodes racing with the same proof, exactly one gets true).
   */
  remember(proofHash: Buffer, expiresAt: Date): Promise<boolean>;
  /** Deletes up to `limit` proofs whose window ended before `at`. */
  purgeExpired(at: Date, limit: number): Promise<number>;
}
