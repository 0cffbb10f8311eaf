// RFC 9449 DPoP: the `dpop_proofs` table (the keyed hash of each accepted proof's key thumbprint and
// jti, until the proof window ends, so a proof is accepted once across every node), the key a public
// client's session is bound to (`sessions.dpop_jkt`), the key an authorization request named
// (`authorization_codes.dpop_jkt`, §10) and the applications that require DPoP.
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function dpop(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('dpop_proofs')
        .addColumn('proof_hash', bytes, (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dpop_proofs_expires').on('dpop_proofs').column('expires_at').execute();
      await db.schema.alterTable('sessions').addColumn('dpop_jkt', 'text').execute();
      await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'text').execute();
      await db.schema
        .alterTable('applications')
        .addColumn('dpop_bound_access_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
