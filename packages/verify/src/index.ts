// @cxauth/verify: access-token verification for resource servers — JWKS cache, strict checks, adapters.
export { bearerToken } from './bearer.js';
export { type BearerErrorResponse, bearerErrorResponse } from './challenge.js';
export {
  type AccessTokenClaims,
  type AccessTokenRole,
  type AppAccessTokenClaims,
  type AppSubject,
  appSubject,
  type BaseAccessTokenClaims,
  isUserClaims,
  parseSubject,
  subjectOf,
  type TokenSubject,
  type UserAccessTokenClaims,
  type UserSubject,
  userSubject,
} from './claims.js';
export { claimsOf } from './context.js';
export type { DpopNonceOptions } from './dpop/nonce.js';
export {
  createDpopProofChecker,
  type DpopProof,
  type DpopProofChecker,
  type ProofExpectation as DpopProofExpectation,
} from './dpop/proof.js';
export { PROOF_ALGORITHMS as DPOP_ALGORITHMS, type ProofAlg as DpopAlg } from './dpop/proof-key.js';
export { type DpopReplayStore, memoryReplayStore } from './dpop/replay.js';
export { type BearerErrorCode, TOKEN_ERROR_CODES, TokenError, type TokenErrorCode } from './errors.js';
export { type FastifyBearerOptions, fastifyBearer } from './fastify.js';
export type { FetchLike } from './fetch-json.js';
export { type HttpBearerOptions, type HttpMiddleware, httpBearer } from './http.js';
export type { IdTokenClaims, IdTokenOptions } from './id-token.js';
export type { JwksDocument } from './memory-key-set.js';
export {
  REVOCATION_KINDS,
  type RevocationKind,
  revocationDigest,
  tokenDigests,
} from './revocation/digest.js';
export { FEED_EVENT, FEED_METADATA, FEED_TYPE, type FeedPage, verifyFeed } from './revocation/feed.js';
export type { RevocationStatus } from './revocation/follower.js';
export type { FeedEntry, RevocationState } from './revocation/set.js';
export { RevocationSet } from './revocation/set.js';
export type { RevocationOptions } from './revocation/wiring.js';
export { fileStore, type VerifierStore } from './store.js';
export {
  createVerifier,
  type DpopOptions,
  type PresentedRequest,
  type Verifier,
  type VerifierOptions,
} from './verifier.js';
