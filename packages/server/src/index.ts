// @cxauth/server: the public surface of the global authentication service package.

// --- foundation: configuration, domain, errors, storage, crypto, admin, demo ---
export type {
  AccessKeyView,
  Admin,
  ApplicationView,
  AreaView,
  CreateApplicationInput,
  CreateAreaInput,
  CreateTenantInput,
  CreateUserInput,
  TenantView,
  UserView,
} from './admin/service/admin.js';
export { createAdmin, exactOrigin, randomBusinessUnitId } from './admin/service/admin.js';
export type { DemoCredentials } from './admin/service/demo.js';
export {
  DEMO_AREA,
  DEMO_CREDENTIALS_FILE,
  demoArea,
  ensureArea,
  ensureDefaultArea,
  seedDemo,
} from './admin/service/demo.js';
export type { ServerConfig, TokenConfig } from './config/config.js';
export { ConfigError, loadConfig, TOKEN_DEFAULTS } from './config/config.js';
export type * from './domain/types.js';
export { decrypt, encrypt, KekError, loadKek } from './keys/kek.js';
export type { LoadedKeys, PublicJwk } from './keys/signing-keys.js';
export {
  ensureActiveSigningKey,
  generateSigningKey,
  loadSigningKeys,
  rsaThumbprint,
} from './keys/signing-keys.js';
export type { OAuthErrorCode } from './protocol/errors.js';
export {
  AdminError,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidToken,
  NotFound,
  OAuthError,
} from './protocol/errors.js';
export {
  generateAccessKeyPart,
  generateClientSecret,
  generateToken,
  SecretHasher,
} from './secrets/random-secrets.js';
export type * from './storage/contract/index.js';
export { StorageConstraintError } from './storage/errors.js';
export { openStorage } from './storage/open.js';
// --- end of the foundation exports ---

// --- the global service over HTTP: composition root, endpoints, grants, tokens ---
export { discoveryDocument } from './endpoints/discovery.js';
export type { Grant, GrantContext, GrantDeps } from './grants/index.js';
export { ALL_GRANTS, enabledGrants } from './grants/index.js';
export type { LoggerOption } from './observability/logger.js';
export { purgeRevocationEvents } from './revocation/feed.js';
export type { CreateServerOptions } from './server.js';
export { createServer } from './server.js';
export type { RunningAuthService, StartOptions } from './start.js';
export { startAuthService } from './start.js';
export type { TokenResponse } from './tokens/issue.js';
// --- end of the global service exports ---
