// @cxauth/server: the public surface of the global authentication service package.

// --- foundation: configuration, domain, errors, storage, crypto, admin, demo ---
export type {
  AccessKeyView,
  Admin,
  AdminOptions,
  ApplicationView,
  AreaView,
  AuditQuery,
  CreateApplicationInput,
  CreateAreaInput,
  CreateTenantInput,
  CreateUserInput,
  ImportReport,
  ImportRow,
  ImportRowReport,
  SigningKeyAdminOptions,
  SigningKeyView,
  TenantView,
  UpdateAreaInput,
  UserView,
} from './admin/service/admin.js';
export {
  createAdmin,
  exactOrigin,
  MAX_IMPORT_ROWS,
  randomBusinessUnitId,
  registrationOnWire,
  signingKeyAdminOptions,
} from './admin/service/admin.js';
export type { BootstrapInput, BootstrapResult } from './admin/service/bootstrap.js';
export { bootstrapOperator, hasOperator } from './admin/service/bootstrap.js';
export { CONSOLE_CLIENT_ID, consoleUrl, ensureConsoleApp } from './admin/service/console-app.js';
export type { DemoCredentials, DemoSeed } from './bootstrap/demo.js';
export {
  DEMO_AREA,
  DEMO_CREDENTIALS_FILE,
  demoArea,
  ensureArea,
  ensureDefaultArea,
  seedDemo,
} from './bootstrap/demo.js';
export type {
  HttpTimeouts,
  RetentionConfig,
  ServerConfig,
  ThrottleConfig,
  TokenConfig,
} from './config/config.js';
export {
  ConfigError,
  HTTP_TIMEOUT_DEFAULTS,
  httpTimeouts,
  loadConfig,
  RETENTION_DEFAULTS,
  THROTTLE_DEFAULTS,
  TOKEN_DEFAULTS,
} from './config/config.js';
export type * from './domain/types.js';
export { ROUTE } from './http/routes.js';
export { decrypt, encrypt, KekError, loadKek } from './keys/kek.js';
export type { LoadedKeys, PublicJwk } from './keys/signing-keys.js';
export {
  ensureActiveSigningKey,
  generateSigningKey,
  loadSigningKeys,
  rsaThumbprint,
} from './keys/signing-keys.js';
export { createMailer } from './mail/outbox.js';
export type { OAuthErrorCode } from './protocol/errors.js';
export {
  AdminError,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidToken,
  NotFound,
  OAuthError,
  Throttled,
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
export type { Grant, GrantContext, GrantServices, GrantType } from './grants/index.js';
export { enabledGrants, GRANT_TYPES, GRANTS } from './grants/index.js';
export type { PurgeOutcome, PurgeReport, Purger } from './maintenance/purge.js';
export { PURGERS, purge } from './maintenance/purge.js';
export type { Audit, AuditEventType, AuditInput } from './observability/audit.js';
export { AUDIT_EVENT_TYPES, auditJson, createAudit } from './observability/audit.js';
export type { LoggerOption } from './observability/logger.js';
export { purgeRevocationEvents } from './revocation/feed.js';
export type { CreateServerOptions } from './server.js';
export { createServer } from './server.js';
export type { RunningAuthService, StartOptions } from './start.js';
export { startAuthService } from './start.js';
export type { Throttle, ThrottleIdentifier, ThrottleSubject, ThrottleTicket } from './throttling/throttle.js';
export { createThrottle } from './throttling/throttle.js';
export type { TokenResponse } from './tokens/issuer.js';
// --- end of the global service exports ---
