// Signing-key rows: the signing_keys table and its mapping (the private key stays sealed).
import type { Selectable } from 'kysely';
import type { SigningKey } from '../../../domain/types.js';
import { type Millis, status, toDate } from '../rows.js';

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** JSON: { kty, n, e }. */
  public_jwk: string;
  private_key_encrypted: Buffer;
  status: string;
  created_at: Millis;
}

export const signingKeyRow = {
  from: (r: Selectable<SigningKeysTable>): SigningKey => ({
    kid: r.kid,
    alg: 'RS256',
    publicJwk: JSON.parse(r.public_jwk) as SigningKey['publicJwk'],
    privateKeyEncrypted: Buffer.from(r.private_key_encrypted),
    status: status(r.status),
    createdAt: toDate(r.created_at),
  }),
  to: (k: SigningKey) => ({
    kid: k.kid,
    alg: k.alg,
    public_jwk: JSON.stringify({ kty: k.publicJwk.kty, n: k.publicJwk.n, e: k.publicJwk.e }),
    private_key_encrypted: k.privateKeyEncrypted,
    status: k.status,
    created_at: k.createdAt.getTime(),
  }),
};
