// DPoP proofs at the token endpoint (RFC 9449 §4.3, §5, §8, §11.1): the proof is checked by
// @cxauth/verify's checker against the endpoint's own URL (the configured issuer, never the Host
// header), its `jti` recorded once across every node (a keyed hash in the database, until the proof
// window ends), and, when CXAUTH_DPOP_NONCE=on, its nonce checked. Nonces are stateless: a keyed hash
// of the time window, so every node issues and accepts the same ones without sharing a store.
import { createDpopProofChecker, type DpopProofChecker, TokenError } from '@cxauth/verify';
import type { DpopConfig } from '../config/dpop.js';
import { InvalidDpopProof, UseDpopNonce } from '../protocol/errors.js';
import type { Hasher } from '../secrets/hasher.js';
import type { DpopProofRepository } from '../storage/contract/index.js';

/** The `DPoP` header(s) of a request, and what the proof must name. */
export interface PresentedProof {
  /** The header's values: undefined when the request carried none. */
  readonly proofs: readonly string[] | undefined;
  readonly method: string;
  /** The URL of the endpoint, without query (the issuer's, as discovery lists it). */
  readonly url: string;
  /** At a resource (userinfo, the admin API): the access token the proof must name (`ath`). */
  readonly accessToken?: string | undefined;
}

/** What a checked proof binds: its key's RFC 7638 thumbprint. */
export interface DpopBinding {
  readonly jkt: string;
}

export interface DpopProofsOptions {
  readonly config: DpopConfig;
  /** The clock tolerance, seconds (CXAUTH_CLOCK_TOLERANCE). */
  readonly tolerance: number;
  readonly store: DpopProofRepository;
  readonly hasher: Hasher;
}

/** The values of a `DPoP` header: Node joins repeated ones with commas, which no JWS contains. */
export function dpopHeaderValues(value: string | string[] | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value;
  return value.includes(',') ? value.split(',').map((v) => v.trim()) : [value];
}

const NONCE_BYTES = 16;

/** Checks the proofs of token requests and makes the server's nonces. */
export class DpopProofs {
  readonly #options: DpopProofsOptions;
  readonly #check: DpopProofChecker = createDpopProofChecker();

  constructor(options: DpopProofsOptions) {
    this.#options = options;
  }

  /** Whether proofs must carry a server nonce (CXAUTH_DPOP_NONCE). */
  get nonceRequired(): boolean {
    return this.#options.config.nonce;
  }

  /** The nonce of the window `now` falls in (sent as `DPoP-Nonce`). @see RFC 9449 §8 */
  nonce(now: Date): string {
    return this.#nonceOf(Math.floor(now.getTime() / 1000 / this.#options.config.nonceWindow));
  }

  #nonceOf(window: number): string {
    const mac = this.#options.hasher.hash(`dpop-nonce:${window}`).subarray(0, NONCE_BYTES);
    return `${window.toString(36)}.${mac.toString('base64url')}`;
  }

  /** True for the nonce of the current window or the one before (a nonce lives one to two windows). */
  #nonceValid(nonce: string | undefined, now: Date): boolean {
    if (nonce === undefined) return false;
    const current = Math.floor(now.getTime() / 1000 / this.#options.config.nonceWindow);
    return nonce === this.#nonceOf(current) || nonce === this.#nonceOf(current - 1);
  }

  /**
   * Checks the proof of a token request, if it carries one, and records its `jti`; undefined when it
   * carries none. A refused proof is `invalid_dpop_proof` (400 at the token endpoint, 401 with a DPoP
   * challenge at a resource); a missing or old nonce `use_dpop_nonce` (the token endpoint's only).
   * @see RFC 9449 §4.3, §7.1, §8, §11.1
   */
  async check(presented: PresentedProof, now: Date): Promise<DpopBinding | undefined> {
    const { proofs, accessToken } = presented;
    const resource = accessToken !== undefined;
    if (proofs === undefined && !resource) return undefined;
    if (proofs?.length !== 1) throw new InvalidDpopProof('exactly one DPoP proof is required', { resource });
    const { config, tolerance } = this.#options;
    let proof: Awaited<ReturnType<DpopProofChecker>>;
    try {
      proof = await this.#check(proofs[0] as string, {
        method: presented.method,
        url: presented.url,
        now: now.getTime() / 1000,
        maxAge: config.proofMaxAge,
        tolerance,
        accessToken,
      });
    } catch (err) {
      if (err instanceof TokenError) {
        throw new InvalidDpopProof(err.message.replace(/^The /, 'the '), { resource });
      }
      throw err;
    }
    if (!resource && config.nonce && !this.#nonceValid(proof.nonce, now)) {
      throw new UseDpopNonce(this.nonce(now));
    }
    // Keyed, so the table names neither keys nor jtis; bounded, as the checker bounds the jti.
    const hash = this.#options.hasher.hash(`dpop-proof:${proof.jkt}.${proof.jti}`);
    const expiresAt = new Date((proof.iat + config.proofMaxAge + 2 * tolerance) * 1000);
    if (!(await this.#options.store.remember(hash, expiresAt))) {
      throw new InvalidDpopProof('the DPoP proof was used before', { resource });
    }
    return { jkt: proof.jkt };
  }
}
