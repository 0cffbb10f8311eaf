// Signing-key rows: the signing_keys table and its mapping (the private key stays sealed).
import type { Selectable } from 'kysely';
import type { SigningAlg, SigningKey, SigningKeyState } from '../../../domain/types.js';
import { type Millis, type NullableMillis, toDate, toDateOrNull } from '../rows.js';

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** JSON: the public members ({ kty, n, e } | { kty, crv, x, y } | { kty, crv, x }). */
  public_jwk: string;
  private_key_encrypted: Buffer;
  state: string;
  created_at: Millis;
  publish_at: Millis;
  sign_from: Millis;
  retired_at: NullableMillis;
}

const ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];
const STATES: readonly SigningKeyState[] = ['published', 'signing', 'retired', 'removed'];

function oneOf<T extends string>(values: readonly T[], value: string, what: string): T {
  if (!(values as readonly string[]).includes(value))
    throw new Error(`unknown signing key ${what} "${value}"`);
  return value as T;
}

/** Only the public members of each key type reach the row (never `d`). */
function publicMembers(jwk: SigningKey['publicJwk']): SigningKey['publicJwk'] {
  if (jwk.kty === 'RSA') return { kty: jwk.kty, n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC') return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

export const signingKeyRow = {
  from: (r: Selectable<SigningKeysTable>): SigningKey => ({
    kid: r.kid,
    alg: oneOf(ALGS, r.alg, 'algorithm'),
    publicJwk: publicMembers(JSON.parse(r.public_jwk) as SigningKey['publicJwk']),
    privateKeyEncrypted: Buffer.from(r.private_key_encrypted),
    state: oneOf(STATES, r.state, 'state'),
    createdAt: toDate(r.created_at),
    publishAt: toDate(r.publish_at),
    signFrom: toDate(r.sign_from),
    retiredAt: toDateOrNull(r.retired_at),
  }),
  to: (k: SigningKey) => ({
    kid: k.kid,
    alg: k.alg,
    public_jwk: JSON.stringify(publicMembers(k.publicJwk)),
    private_key_encrypted: k.privateKeyEncrypted,
    state: k.state,
    created_at: k.createdAt.getTime(),
    publish_at: k.publishAt.getTime(),
    sign_from: k.signFrom.getTime(),
    retired_at: k.retiredAt?.getTime() ?? null,
  }),
};
