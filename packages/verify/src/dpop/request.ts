// DPoP requests at a resource server (RFC 9449 §7): `Authorization: DPoP <token>` with one `DPoP`
// proof, checked against the request (htm, htu, iat, ath), the token's `cnf.jkt` and the replay store;
// and the refusal of a bound token presented as a bearer token.
import { authorizationCredentials, isDpopScheme } from '../bearer.js';
import type { AccessTokenClaims } from '../claims.js';
import { TokenError } from '../errors.js';
import { Lru } from '../lru.js';
import type { DpopOptions } from '../verifier-options.js';
import { nonceIssuer } from './nonce.js';
import { checkProof, ProofHeaders } from './proof.js';
import { accessTokenHash } from './proof-key.js';
import { memoryReplayStore } from './replay.js';

/** What a request presents and is, for `Verifier.verifyRequest`. */
export interface PresentedRequest {
  /** The `Authorization` header value(s). */
  authorization: string | readonly string[] | undefined;
  /** The `DPoP` header value(s). */
  dpop: string | readonly string[] | undefined;
  /** The request method, e.g. `GET`. */
  method: string;
  /** The request's absolute URL as the client called it (its query and fragment are ignored). */
  url: string;
}

/** Refuses a token bound to a DPoP key presented as a bearer token (RFC 9449 §7.2). */
export function unbound(claims: AccessTokenClaims): AccessTokenClaims {
  if (claims.cnf !== undefined) {
    throw new TokenError('dpop_required', 'The access token is bound to a DPoP key: send it with DPoP');
  }
  return claims;
}

/** The one DPoP header of a request. */
function oneProof(header: string | readonly string[] | undefined): string {
  if (Array.isArray(header)) {
    if (header.length !== 1) throw new TokenError('dpop_proof_invalid', 'Exactly one DPoP proof is required');
    return oneProof(header[0]);
  }
  if (typeof header !== 'string' || header === '') {
    throw new TokenError('dpop_proof_invalid', 'A DPoP proof is required');
  }
  return header;
}

/** The proof window of the options, seconds (default 60). */
function maxAgeOf(options: DpopOptions | undefined): number {
  const value = options?.maxAgeSec ?? 60;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`dpop.maxAgeSec must be a positive number; it is ${String(value)}`);
  }
  return value;
}

/** What a verifier does with DPoP requests. */
export interface DpopRequests {
  /** Verifies a request by its scheme (see `Verifier.verifyRequest`). */
  verifyRequest(request: PresentedRequest): Promise<AccessTokenClaims>;
  /** The nonce proofs must carry now, or undefined when none is required. */
  nonce(): string | undefined;
}

/**
 * The `verifyRequest` of a verifier: Bearer through `verify` (a bound token refused), DPoP through
 * `verify` and the proof (with this server's nonce when `options.nonce` asks for one).
 * @see RFC 9449 §7.1, §9
 */
export function dpopRequests(deps: {
  verify: (token: string) => Promise<AccessTokenClaims>;
  /** The claims of a token `verify` accepted before and would accept now (its cache), or undefined. */
  cached: (token: string) => AccessTokenClaims | undefined;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Seconds. */
  tolerance: number;
  options: DpopOptions | undefined;
}): DpopRequests {
  const { verify, cached, clock, tolerance } = deps;
  const maxAge = maxAgeOf(deps.options);
  const replay = deps.options?.replay ?? memoryReplayStore({ clock });
  const headers = new ProofHeaders(deps.options?.keyCacheSize ?? 1000);
  // A client sends one token with many proofs: its `ath` (a SHA-256 of 1-2 kB) is computed once. Found
  // by the token's last characters (inside its signature), confirmed by the whole string.
  const hashes = new Lru<readonly [string, string]>(deps.options?.keyCacheSize ?? 1000);
  const athOf = (token: string): string => {
    const slot = token.slice(-64);
    const hit = hashes.get(slot);
    if (hit !== undefined && hit[0] === token) return hit[1];
    const hash = accessTokenHash(token);
    hashes.set(slot, [token, hash]);
    return hash;
  };
  const nonceOption = deps.options?.nonce;
  const nonces = nonceOption ? nonceIssuer(nonceOption) : undefined;
  const verifyRequest = async (request: PresentedRequest): Promise<AccessTokenClaims> => {
    // "DPoP <token>" with one space, of a token verified before: taken as it is (the cache compares the
    // whole string, so its characters are those of a token that passed the strict parse); anything
    // else goes through that parse and `verify`.
    const header = request.authorization;
    let token = '';
    let claims: AccessTokenClaims | undefined;
    if (typeof header === 'string' && header.charCodeAt(4) === 32 && isDpopScheme(header)) {
      token = header.slice(5);
      claims = cached(token);
    }
    if (claims === undefined) {
      const credentials = authorizationCredentials(header);
      token = credentials.token;
      if (credentials.scheme === 'bearer') return unbound(await verify(token));
    }
    const proof = oneProof(request.dpop);
    claims ??= await verify(token);
    const jkt = claims.cnf?.jkt;
    if (jkt === undefined) {
      throw new TokenError('dpop_key_mismatch', 'The access token is not bound to a DPoP key');
    }
    const now = clock() / 1000;
    const checked = await checkProof(
      proof,
      {
        method: request.method,
        url: request.url,
        accessToken: token,
        accessTokenHash: athOf(token),
        now,
        maxAge,
        tolerance,
        // Another key's proof is refused before its signature costs anything.
        jkt,
      },
      headers,
    );
    // After the signature: only a proof of the token's own key learns whether its nonce is stale.
    if (nonces !== undefined && !nonces.valid(checked.nonce, now)) {
      throw new TokenError(
        'dpop_nonce_required',
        'The DPoP proof must carry the nonce of the DPoP-Nonce header',
        { dpopNonce: nonces.current(now) },
      );
    }
    const expiresAt = checked.iat + maxAge + 2 * tolerance;
    if (!(await replay.remember(checked.jkt, checked.jti, checked.iat, expiresAt))) {
      throw new TokenError('dpop_proof_replayed', 'The DPoP proof was used before');
    }
    return claims;
  };
  return {
    verifyRequest,
    nonce: nonces === undefined ? () => undefined : () => nonces.current(clock() / 1000),
  };
}
