// Passkey rows (migration 0024) and their mapping.
import type { Selectable } from 'kysely';
import type { Passkey } from '../../../domain/passkey.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface PasskeysTable {
  id: string;
  user_id: string;
  tenant_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: number | string;
  name: string;
  /** JSON list. */
  transports: string;
  backup_eligible: number;
  backed_up: number;
  created_at: Millis;
  last_used_at: NullableMillis;
}

export interface PasskeyChallengesTable {
  challenge_hash: Buffer;
  expires_at: Millis;
}

export const passkeyRow = {
  from: (r: Selectable<PasskeysTable>): Passkey => ({
    id: r.id,
    userId: r.user_id,
    tenantId: r.tenant_id,
    credentialId: r.credential_id,
    publicKey: Buffer.from(r.public_key),
    counter: Number(r.counter),
    name: r.name,
    transports: JSON.parse(r.transports) as string[],
    backupEligible: Number(r.backup_eligible) === 1,
    backedUp: Number(r.backed_up) === 1,
    createdAt: toDate(r.created_at),
    lastUsedAt: toDateOrNull(r.last_used_at),
  }),
  to: (p: Passkey) => ({
    id: p.id,
    user_id: p.userId,
    tenant_id: p.tenantId,
    credential_id: p.credentialId,
    public_key: p.publicKey,
    counter: p.counter,
    name: p.name,
    transports: JSON.stringify(p.transports),
    backup_eligible: p.backupEligible ? 1 : 0,
    backed_up: p.backedUp ? 1 : 0,
    created_at: p.createdAt.getTime(),
    last_used_at: p.lastUsedAt?.getTime() ?? null,
  }),
};
