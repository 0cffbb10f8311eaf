// Consent rows: the consents table (scopes as JSON text) and its mapping.
import type { Selectable } from 'kysely';
import type { Consent } from '../../../domain/consent.js';
import { type Millis, toDate } from '../rows.js';

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  /** JSON string array. */
  scopes: string;
  created_at: Millis;
  updated_at: Millis;
}

export const consentRow = {
  from: (r: Selectable<ConsentsTable>): Consent => ({
    userId: r.user_id,
    clientId: r.client_id,
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  }),
  to: (c: Consent) => ({
    user_id: c.userId,
    client_id: c.clientId,
    scopes: JSON.stringify(c.scopes),
    created_at: c.createdAt.getTime(),
    updated_at: c.updatedAt.getTime(),
  }),
};
