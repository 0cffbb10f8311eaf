// DPoP settings (RFC 9449; docs/security.md "DPoP"): how old a proof may be, and whether the token
// endpoint asks for a server nonce.
import { ConfigError, integer } from './env.js';

export interface DpopConfig {
  /**
   * CXAUTH_DPOP_PROOF_MAX_AGE, seconds (default 60, 5–600): the oldest proof `iat` accepted; a proof's
   * `jti` is remembered this long plus the clock tolerance twice (RFC 9449 §11.1).
   */
  readonly proofMaxAge: number;
  /**
   * CXAUTH_DPOP_NONCE (default off): the token endpoint requires a server nonce in each proof and
   * answers `use_dpop_nonce` with a `DPoP-Nonce` header until it has one (RFC 9449 §8).
   */
  readonly nonce: boolean;
  /** How long one nonce is good for, seconds: it is accepted in its window and the next. */
  readonly nonceWindow: number;
}

export const DPOP_DEFAULTS: DpopConfig = Object.freeze({ proofMaxAge: 60, nonce: false, nonceWindow: 300 });

/** Reads CXAUTH_DPOP_PROOF_MAX_AGE and CXAUTH_DPOP_NONCE. */
export function dpopConfig(env: NodeJS.ProcessEnv): DpopConfig {
  const raw = env['CXAUTH_DPOP_NONCE'];
  let nonce = DPOP_DEFAULTS.nonce;
  if (raw !== undefined && raw !== '') {
    if (['on', 'true', '1'].includes(raw)) nonce = true;
    else if (['off', 'false', '0'].includes(raw)) nonce = false;
    else throw new ConfigError(`CXAUTH_DPOP_NONCE must be on or off; it is "${raw}".`);
  }
  return Object.freeze({
    ...DPOP_DEFAULTS,
    proofMaxAge: integer(env, 'CXAUTH_DPOP_PROOF_MAX_AGE', DPOP_DEFAULTS.proofMaxAge, 5, 600),
    nonce,
  });
}
