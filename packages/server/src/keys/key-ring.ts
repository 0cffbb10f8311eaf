// The signing keys in use: the signer, the published JWKS and the access-token verifier, replaced
// together when the keys are reloaded (another node may have added or retired a key).

import {
  type AccessTokenClaims,
  AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../tokens/verify-access-token.js';
import { JwsSigner, type JwtType } from './signer.js';
import type { LoadedKeys } from './signing-keys.js';

/** How often keys are read again from storage, milliseconds. */
export const KEY_RELOAD_MS = 60_000;

interface State {
  readonly signer: JwsSigner;
  readonly jwksJson: string;
  readonly verifier: AccessTokenVerifier;
}

/** Everything that depends on the current keys, swapped atomically by {@link KeyRing.update}. */
export class KeyRing {
  readonly #options: Omit<AccessTokenVerifierOptions, 'keys'>;
  #state: State;

  constructor(keys: LoadedKeys, options: Omit<AccessTokenVerifierOptions, 'keys'>) {
    this.#options = options;
    this.#state = this.#build(keys);
  }

  #build(keys: LoadedKeys): State {
    // Each JWK is copied member by member, so nothing but the public parameters can be published.
    const published = keys.jwks.keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, use, alg, kid, n, e }));
    return {
      signer: new JwsSigner(keys.active),
      jwksJson: JSON.stringify({ keys: published }),
      verifier: new AccessTokenVerifier({ ...this.#options, keys: published }),
    };
  }

  /** Replaces the keys (the previous ones stay in use when `keys` cannot be built). */
  update(keys: LoadedKeys): void {
    this.#state = this.#build(keys);
  }

  /** The kid that signs now. */
  get kid(): string {
    return this.#state.signer.kid;
  }

  /** The JWKS document, serialized. @see RFC 7517 §5 */
  get jwksJson(): string {
    return this.#state.jwksJson;
  }

  sign(typ: JwtType, claims: object): Promise<string> {
    return this.#state.signer.sign(typ, claims);
  }

  verify(token: string, now: number): AccessTokenClaims {
    return this.#state.verifier.verify(token, now);
  }
}
