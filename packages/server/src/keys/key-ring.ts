// The signing keys in use: the signer and the published JWKS, replaced together when the keys are
// reloaded (another node may have added or retired a key), and the access-token verifier that reads
// them in memory, so the service checks its own tokens exactly as a resource server does.
import { createVerifier, type JwksDocument, TokenError, type Verifier } from '@cxauth/verify';
import { JwsSigner, type JwtType } from './signer.js';
import type { LoadedKeys, PublicJwk } from './signing-keys.js';
import type { KeyStatus } from './states.js';

/** How often keys are read again from storage, milliseconds (the default of `config.keyReloadMs`). */
export const KEY_RELOAD_MS = 60_000;

export interface KeyRingOptions {
  readonly issuer: string;
  readonly audience: string;
  /** The admin API's audience (RFC 8707 resource `<issuer>/admin/v1`); default `audience`. */
  readonly adminAudience?: string;
  /** Tolerated clock skew, seconds. */
  readonly clockTolerance: number;
  /** Milliseconds since the epoch (injected by tests). Default `Date.now`. */
  readonly clock?: () => number;
}

interface State {
  readonly signer: JwsSigner;
  readonly statuses: readonly KeyStatus[];
  /** The distinct algorithms of the published keys (discovery lists them). */
  readonly algs: readonly string[];
  readonly jwks: JwksDocument;
  readonly jwksJson: string;
}

/** Each JWK copied member by member, so nothing but the public parameters can be published. */
function publicOnly(jwk: PublicJwk): PublicJwk {
  const { kid, alg, use } = jwk;
  if (jwk.kty === 'RSA') return { kty: jwk.kty, use, alg, kid, n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC') return { kty: jwk.kty, use, alg, kid, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kty: jwk.kty, use, alg, kid, crv: jwk.crv, x: jwk.x };
}

/** Everything that depends on the current keys, swapped atomically by {@link KeyRing.update}. */
export class KeyRing {
  #state: State;
  /**
   * Verifies the access tokens of this issuer with the keys it publishes now (`@cxauth/verify`, with
   * every strict check). A key retired by {@link KeyRing.update} no longer verifies, cached or not.
   * @see RFC 9068 §4
   */
  readonly verifier: Verifier;
  /** The same checks for the admin API: only tokens whose `aud` names it (RFC 8707). */
  readonly adminVerifier: Verifier;
  /**
   * Tokens of either audience, for the endpoints of this issuer that serve every token it issued
   * (userinfo, introspection, revocation).
   */
  readonly anyAudience: Pick<Verifier, 'verify'>;

  constructor(keys: LoadedKeys, options: KeyRingOptions) {
    this.#state = KeyRing.#build(keys);
    const verifierFor = (audience: string) =>
      createVerifier({
        issuer: options.issuer,
        audience,
        clockToleranceSec: options.clockTolerance,
        jwks: () => this.#state.jwks,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    this.verifier = verifierFor(options.audience);
    this.adminVerifier = verifierFor(options.adminAudience ?? options.audience);
    const { verifier, adminVerifier } = this;
    this.anyAudience = {
      async verify(token) {
        try {
          return await verifier.verify(token);
        } catch (err) {
          if (err instanceof TokenError && err.code === 'audience_invalid')
            return adminVerifier.verify(token);
          throw err;
        }
      },
    };
  }

  static #build(keys: LoadedKeys): State {
    const published = keys.jwks.keys.map(publicOnly);
    const jwks = { keys: published };
    const algs = [...new Set(published.map((k) => k.alg))].sort();
    return {
      signer: new JwsSigner(keys.active),
      statuses: keys.statuses,
      algs,
      jwks,
      jwksJson: JSON.stringify(jwks),
    };
  }

  /** Replaces the keys (the previous ones stay in use when `keys` cannot be built). */
  update(keys: LoadedKeys): void {
    this.#state = KeyRing.#build(keys);
  }

  /** The kid that signs now. */
  get kid(): string {
    return this.#state.signer.kid;
  }

  /** The algorithms of the published keys, sorted. */
  get algs(): readonly string[] {
    return this.#state.algs;
  }

  /** Every key with its state, as of the last load. */
  get statuses(): readonly KeyStatus[] {
    return this.#state.statuses;
  }

  /** The JWKS document, serialized. @see RFC 7517 §5 */
  get jwksJson(): string {
    return this.#state.jwksJson;
  }

  sign(typ: JwtType, claims: object): Promise<string> {
    return this.#state.signer.sign(typ, claims);
  }
}
