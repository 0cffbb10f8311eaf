// The access token of a request to one of this service's own resources (userinfo, the admin API), by
// its scheme: `Bearer` (RFC 6750), or `DPoP` with its proof (RFC 9449 §7). A token bound to a DPoP key
// is refused as Bearer; a DPoP proof's `jti` is recorded where the token endpoint records its own.
import type { AccessTokenClaims, Verifier } from '@cxauth/verify';
import { bearerToken } from '../protocol/bearer.js';
import { InvalidRequest, InvalidToken } from '../protocol/errors.js';
import type { FormParams } from '../protocol/params.js';
import type { DpopProofs } from './dpop.js';
import { bearerClaims } from './liveness.js';

/** What a resource request presents. */
export interface PresentedToken {
  readonly authorization: string | undefined;
  /** The form body (RFC 6750 §2.2 `access_token`), where the resource takes one. */
  readonly body: FormParams | undefined;
  /** The `DPoP` header's values. */
  readonly proofs: readonly string[] | undefined;
  readonly method: string;
  /** The resource's URL as discovery names it (the issuer's), without query. */
  readonly url: string;
}

const DPOP_SCHEME = /^dpop +(\S+) *$/i;

const DPOP_CHALLENGE = (description: string) =>
  `DPoP realm="cxauth", error="invalid_token", error_description="${description}", algs="ES256 EdDSA RS256"`;

/** An `invalid_token` answered with a DPoP challenge (RFC 9449 §7.1). */
function dpopRefusal(description: string): InvalidToken {
  const err = new InvalidToken(description);
  err.headers['WWW-Authenticate'] = DPOP_CHALLENGE(description);
  return err;
}

/**
 * The verified claims of a resource request's access token, Bearer or DPoP.
 * @see RFC 6750 §2, RFC 9449 §7.1–7.2
 */
export async function presentedClaims(
  deps: { readonly verifier: Pick<Verifier, 'verify'>; readonly dpop: DpopProofs },
  presented: PresentedToken,
  now: Date,
): Promise<AccessTokenClaims> {
  const match = presented.authorization === undefined ? null : DPOP_SCHEME.exec(presented.authorization);
  if (match === null) {
    const claims = await bearerClaims(deps.verifier, bearerToken(presented.authorization, presented.body));
    if (claims.cnf !== undefined) {
      throw dpopRefusal('the access token is bound to a DPoP key: send it with the DPoP scheme');
    }
    return claims;
  }
  if (presented.body?.['access_token'] !== undefined) {
    throw new InvalidRequest('send the access token one way only');
  }
  const token = match[1] as string;
  const claims = await bearerClaims(deps.verifier, token);
  const jkt = claims.cnf?.jkt;
  if (jkt === undefined) throw dpopRefusal('the access token is not bound to a DPoP key');
  const binding = await deps.dpop.check(
    { proofs: presented.proofs, method: presented.method, url: presented.url, accessToken: token },
    now,
  );
  if (binding?.jkt !== jkt) throw dpopRefusal('the DPoP proof is not of the key the token is bound to');
  return claims;
}
