// Accepted DPoP proofs: one insert that does nothing on a conflict, so the affected-row count says
// whether this node is the first to see the proof.
import type { Kysely } from 'kysely';
import type { DpopProofRepository } from '../../contract/dpop-proofs.js';
import type { Database } from '../schema.js';

export function dpopProofRepository(db: Kysely<Database>): DpopProofRepository {
  return {
    async remember(proofHash, expiresAt) {
      const result = await db
        .insertInto('dpop_proofs')
        .values({ proof_hash: proofHash, expires_at: expiresAt.getTime() })
        .onConflict((oc) => oc.column('proof_hash').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async purgeExpired(at, limit) {
      const batch = db
        .selectFrom('dpop_proofs')
        .select('proof_hash')
        .where('expires_at', '<=', at.getTime())
        .limit(limit);
      const result = await db.deleteFrom('dpop_proofs').where('proof_hash', 'in', batch).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
