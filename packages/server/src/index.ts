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
} from './admin/admin.js';
export { createAdmin, exactOrigin, randomBusinessUnitId } from './admin/admin.js';
export type { ServerConfig, TokenConfig } from './config/config.js';
export { ConfigError, loadConfig, TOKEN_DEFAULTS } from './config/config.js';
export { decrypt, encrypt, KekError, loadKek } from './crypto/kek.js';
export {
  generateAccessKeyPart,
  generateClientSecret,
  generateToken,
  SecretHasher,
} from './crypto/secrets.js';
export type { LoadedKeys, PublicJwk } from './crypto/signing-keys.js';
export {
  ensureActiveSigningKey,
  generateSigningKey,
  loadSigningKeys,
  rsaThumbprint,
} from './crypto/signing-keys.js';
export type { DemoCredentials } from './demo.js';
export {
  DEMO_AREA,
  DEMO_CREDENTIALS_FILE,
  demoArea,
  ensureArea,
  ensureDefaultArea,
  seedDemo,
} from './demo.js';
export type * from './domain/types.js';
export type { OAuthErrorCode } from './errors.js';
export {
  AdminError,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidToken,
  NotFound,
  OAuthError,
} from './errors.js';
export { StorageConstraintError } from './storage/errors.js';
export { openStorage } from './storage/open.js';
export type * from './storage/storage.js';
// --- end of the foundation exports ---

// --- the global service over HTTP: composition root, endpoints, grants, tokens ---
export type { CreateServerOptions, LoggerOption, RunningAuthService, StartOptions } from './app.js';
export { createServer, startAuthService } from './app.js';
export { discoveryDocument } from './endpoints/discovery.js';
export type { Grant, GrantContext, GrantDeps } from './grants/index.js';
export { ALL_GRANTS, enabledGrants } from './grants/index.js';
export type { TokenResponse } from './tokens/issue.js';
// --- end of the global service exports ---
