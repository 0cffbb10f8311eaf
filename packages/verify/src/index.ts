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
export { type BearerErrorCode, TOKEN_ERROR_CODES, TokenError, type TokenErrorCode } from './errors.js';
export { type FastifyBearerOptions, fastifyBearer } from './fastify.js';
export { type FetchJsonOptions, type FetchLike, fetchJson } from './fetch-json.js';
export { type HttpBearerOptions, type HttpMiddleware, httpBearer } from './http.js';
export { Lru } from './lru.js';
export type { JwksDocument } from './memory-key-set.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';
