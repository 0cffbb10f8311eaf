// Accepted DPoP proofs (migration 0026): the keyed hash of `jkt.jti`, and when its window ends.
import type { Millis } from '../rows.js';

export interface DpopProofsTable {
  proof_hash: Buffer;
  expires_at: Millis;
}
