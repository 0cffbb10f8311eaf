// Checking one DPoP proof JWT against the request it came with: its header (typ dpop+jwt, an allowed
// asymmetric alg, a public jwk), its signature, `htm`, `htu`, `iat` within the window and, for a
// resource request, `ath`. Parsed headers and their imported keys are remembered by the header's exact
// text (a client sends the same header with each proof), so a proof costs one signature check and one
// payload parse. Whether the `jti` was seen before is the replay store's (replay.ts).
import { TokenError } from '../errors.js';
import { Lru } from '../lru.js';
import {
  accessTokenHash,
  importProofKey,
  PROOF_ALGORITHMS,
  type ProofAlg,
  type ProofKey,
  signatureValid,
} from './proof-key.js';

/** What a proof must match. Times are seconds. */
export interface ProofExpectation {
  /** The request's method (`htm`), e.g. `POST`. */
  readonly method: string;
  /** The request's URL without query and fragment (`htu`), e.g. `https://api.example.com/v1/x`. */
  readonly url: string;
  /** The access token the proof goes with (its `ath` is then required); none at a token endpoint. */
  readonly accessToken?: string | undefined;
  /** The `ath` of `accessToken` when the caller has it already (a resource server remembers it). */
  readonly accessTokenHash?: string | undefined;
  /** The current time, seconds since the epoch. */
  readonly now: number;
  /** The oldest `iat` accepted, as an age in seconds. */
  readonly maxAge: number;
  /** The clock skew allowed for an `iat` in the future, seconds. */
  readonly tolerance: number;
  /** The accepted algorithms (default all of {@link PROOF_ALGORITHMS}). */
  readonly algorithms?: readonly ProofAlg[];
  /**
   * The thumbprint the proof's key must have, when the caller knows it (a resource server: the
   * token's `cnf.jkt`). A proof of another key is refused before its signature is checked.
   */
  readonly jkt?: string | undefined;
}

/** A checked proof. */
export interface DpopProof {
  /** The thumbprint of the proof's key (RFC 7638): what `cnf.jkt` binds. */
  readonly jkt: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** The proof's `nonce`, for a server that issued one to check. */
  readonly nonce: string | undefined;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Longest proof accepted, in characters (an RSA-4096 key in the header is about 1.2 kB). */
const MAX_PROOF = 4096;
/** Longest `jti` accepted: the replay store keeps it, so it is bounded. */
const MAX_JTI = 256;
/** The key is the header's `jwk` alone: no member may point at another (a `kid` is ignored). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'x5c', 'crit'];

interface ParsedHeader {
  readonly key: ProofKey;
}

/** Parsed proof headers by their exact base64url text, with the key imported from each. */
export class ProofHeaders {
  readonly #cache: Lru<ParsedHeader | TokenError>;

  constructor(capacity = 1000) {
    this.#cache = new Lru(capacity);
  }

  /** The key of a proof header, parsed and imported once; a refused header is remembered too. */
  key(segment: string, algorithms: readonly ProofAlg[]): ProofKey {
    let parsed = this.#cache.get(segment);
    if (parsed === undefined) {
      // Only base64url text is parsed, and so remembered: a cached segment needs no test again.
      if (!SEGMENT.test(segment)) throw invalid('The DPoP proof is not a JWS');
      parsed = parseHeader(segment);
      this.#cache.set(segment, parsed);
    }
    if (parsed instanceof TokenError) throw parsed;
    if (!algorithms.includes(parsed.key.alg)) throw invalid('The DPoP proof algorithm is not accepted');
    return parsed.key;
  }
}

const invalid = (message: string, cause?: unknown) =>
  new TokenError('dpop_proof_invalid', message, cause === undefined ? {} : { cause });

function decodeJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid(`The DPoP proof ${what} is not base64url JSON`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`The DPoP proof ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A header's key, or the refusal of the header (remembered as such). @see RFC 9449 §4.2, §4.3 */
function parseHeader(segment: string): ParsedHeader | TokenError {
  try {
    const header = decodeJson(segment, 'header');
    const typ = header['typ'];
    if (typeof typ !== 'string' || typ.toLowerCase() !== 'dpop+jwt') {
      return invalid('The DPoP proof is not of typ dpop+jwt');
    }
    const alg = header['alg'];
    if (!(PROOF_ALGORITHMS as readonly unknown[]).includes(alg)) {
      return invalid('The DPoP proof algorithm is not accepted');
    }
    for (const name of FORBIDDEN_HEADERS) {
      if (name in header) return invalid(`The DPoP proof header must not contain ${name}`);
    }
    return { key: importProofKey(header['jwk'], alg as ProofAlg) };
  } catch (err) {
    return err instanceof TokenError ? err : invalid('The DPoP proof header has no usable public JWK', err);
  }
}

/** The scheme, host, port and path of a URL after RFC 3986 §6.2.2–6.2.3 normalization, or undefined. */
function normalized(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** True when `htu` names `url` (query and fragment ignored). @see RFC 9449 §4.3 (9) */
function sameUri(htu: string, url: string): boolean {
  if (htu === url) return true;
  const want = normalized(url);
  return want !== undefined && normalized(htu) === want;
}

/**
 * Checks a DPoP proof (the `DPoP` header's value) against its request and returns its key's
 * thumbprint, `jti`, `iat` and `nonce`. The replay of a `jti` is not checked here.
 * @throws {TokenError} `dpop_proof_invalid`, or `dpop_key_mismatch` for a proof of another key than
 * `expect.jkt`; with a message safe to send.
 * @see RFC 9449 §4.3
 */
export async function checkProof(
  proof: string,
  expect: ProofExpectation,
  headers: ProofHeaders,
): Promise<DpopProof> {
  if (typeof proof !== 'string' || proof.length === 0) throw invalid('A DPoP proof is required');
  if (proof.length > MAX_PROOF) throw invalid('The DPoP proof is too large');
  const first = proof.indexOf('.');
  const second = proof.indexOf('.', first + 1);
  if (first < 0 || second < 0 || proof.indexOf('.', second + 1) >= 0)
    throw invalid('The DPoP proof is not a JWS');
  const headerPart = proof.slice(0, first);
  const payloadPart = proof.slice(first + 1, second);
  const signaturePart = proof.slice(second + 1);
  if (!SEGMENT.test(payloadPart) || !SEGMENT.test(signaturePart))
    throw invalid('The DPoP proof is not a JWS');
  // The header is tested as base64url only when it is not one parsed before (ProofHeaders.key).
  const key = headers.key(headerPart, expect.algorithms ?? PROOF_ALGORITHMS);
  if (expect.jkt !== undefined && key.jkt !== expect.jkt) {
    throw new TokenError(
      'dpop_key_mismatch',
      'The DPoP proof is not signed by the key the token is bound to',
    );
  }
  // The claims first: a proof for another request costs no signature check.
  const claims = decodeJson(payloadPart, 'payload');
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI) {
    throw invalid('The DPoP proof has no usable jti');
  }
  if (htm !== expect.method) throw invalid('The DPoP proof htm does not match the request method');
  if (typeof htu !== 'string' || !sameUri(htu, expect.url)) {
    throw invalid('The DPoP proof htu does not match the request URL');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('The DPoP proof has no iat');
  if (iat > expect.now + expect.tolerance) throw invalid('The DPoP proof iat is in the future');
  if (iat < expect.now - expect.maxAge - expect.tolerance) throw invalid('The DPoP proof is too old');
  if (expect.accessToken !== undefined) {
    if (typeof ath !== 'string') throw invalid('The DPoP proof has no ath');
    if (ath !== (expect.accessTokenHash ?? accessTokenHash(expect.accessToken))) {
      throw invalid('The DPoP proof ath does not match the access token');
    }
  }
  let valid = false;
  try {
    valid = await signatureValid(key, proof.slice(0, second), Buffer.from(signaturePart, 'base64url'));
  } catch (err) {
    throw invalid('The DPoP proof signature is invalid', err);
  }
  if (!valid) throw invalid('The DPoP proof signature is invalid');
  if (nonce !== undefined && typeof nonce !== 'string') throw invalid('The DPoP proof nonce is not a string');
  return { jkt: key.jkt, jti, iat, nonce };
}

/** Checks DPoP proofs, remembering up to `keyCacheSize` parsed headers (default 1 000). */
export type DpopProofChecker = (proof: string, expect: ProofExpectation) => Promise<DpopProof>;

/**
 * A proof checker for a server that keeps its own replay store (an authorization server: see
 * `memoryReplayStore` for the contract a store keeps).
 * @example
 * const check = createDpopProofChecker();
 * const { jkt, jti } = await check(req.headers.dpop, { method: 'POST', url, now, maxAge: 60, tolerance: 5 });
 * @see RFC 9449 §4.3
 */
export function createDpopProofChecker(options: { keyCacheSize?: number } = {}): DpopProofChecker {
  const headers = new ProofHeaders(options.keyCacheSize ?? 1000);
  return (proof, expect) => checkProof(proof, expect, headers);
}
