// The service's configuration: one typed, validated, frozen object built from the environment, feature
// by feature (http, storage, keys, tokens, throttling, retention, management, admin). Unsafe or malformed
// settings fail at start-up with what to change. The README lists every variable.

import { type AdminApiConfig, adminApiConfig } from './admin.js';
import { type DpopConfig, dpopConfig } from './dpop.js';
import { ConfigError } from './env.js';
import type { HttpConfig } from './http.js';
import { httpConfig, issuerFrom } from './http.js';
import type { KeyConfig } from './keys.js';
import { keyConfig, SIGNING_ALGS } from './keys.js';
import { type MailConfig, mailConfig } from './mail.js';
import type { ManagementConfig } from './management.js';
import { managementConfig } from './management.js';
import type { RetentionConfig } from './retention.js';
import { retentionConfig } from './retention.js';
import type { SignInConfig } from './sign-in.js';
import { signInConfig } from './sign-in.js';
import type { StorageConfig } from './storage.js';
import { storageConfig } from './storage.js';
import type { ThrottleConfig } from './throttling.js';
import { throttleConfig } from './throttling.js';
import type { TokenConfig } from './tokens.js';
import { tokenConfig } from './tokens.js';
import type { WebhookConfig } from './webhooks.js';
import { webhookConfig } from './webhooks.js';

export type { AdminApiConfig } from './admin.js';
export type { DpopConfig } from './dpop.js';
export { DPOP_DEFAULTS } from './dpop.js';
export { ConfigError } from './env.js';
export type { HttpConfig, HttpTimeouts } from './http.js';
export { HTTP_TIMEOUT_DEFAULTS, httpTimeouts } from './http.js';
export type { KeyConfig } from './keys.js';
export { KEY_DEFAULTS } from './keys.js';
export type { MailConfig } from './mail.js';
export { MAIL_DEFAULTS } from './mail.js';
export type { ManagementConfig } from './management.js';
export type { RetentionConfig } from './retention.js';
export { RETENTION_DEFAULTS } from './retention.js';
export type { SignInConfig } from './sign-in.js';
export type { StorageConfig } from './storage.js';
export type { ThrottleConfig } from './throttling.js';
export { THROTTLE_DEFAULTS } from './throttling.js';
export type { TokenConfig } from './tokens.js';
export { TOKEN_DEFAULTS } from './tokens.js';
export type { WebhookConfig } from './webhooks.js';
export { WEBHOOK_DEFAULTS } from './webhooks.js';

export interface ServerConfig extends HttpConfig, StorageConfig, KeyConfig, ManagementConfig {
  readonly tokens: TokenConfig;
  readonly throttling: ThrottleConfig;
  readonly retention: RetentionConfig;
  readonly signIn: SignInConfig;
  readonly admin: AdminApiConfig;
  /** Webhook delivery (CXAUTH_WEBHOOK_ALLOW_PRIVATE; docs/webhooks.md). */
  readonly webhooks: WebhookConfig;
  /** DPoP proofs at the token endpoint (CXAUTH_DPOP_PROOF_MAX_AGE, CXAUTH_DPOP_NONCE; RFC 9449). */
  readonly dpop: DpopConfig;
  /** Mail, reset links and the password policy (CXAUTH_SMTP_*; docs/people.md). */
  readonly mail: MailConfig;
  /** CXAUTH_LOG_LEVEL (default info): pino's level names. */
  readonly logLevel: string;
}

/**
 * Values set in code over the environment (tests shorten times, pass a KEK): the flat settings and
 * any part of a section. They go through the checks of the whole configuration like the environment.
 */
export type ConfigOverrides = Partial<
  Omit<ServerConfig, 'tokens' | 'throttling' | 'retention' | 'signIn' | 'admin'>
> & {
  readonly tokens?: Partial<TokenConfig>;
  readonly throttling?: Partial<ThrottleConfig>;
  readonly retention?: Partial<RetentionConfig>;
  readonly signIn?: Partial<SignInConfig>;
  readonly admin?: Partial<AdminApiConfig>;
};

/** pino's level names (CXAUTH_LOG_LEVEL). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Builds the configuration from environment variables and optional overrides, checked whole and frozen. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): ServerConfig {
  const { tokens, throttling, retention, signIn, admin, ...flat } = overrides;
  for (const [section, given] of Object.entries({ tokens, throttling, retention, signIn, admin })) {
    for (const [name, value] of Object.entries(given ?? {})) {
      if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0)) {
        throw new ConfigError(`${section}.${name} must be a whole number of 0 or more; it is ${value}.`);
      }
    }
  }
  const http = httpConfig(env);
  const config: ServerConfig = {
    ...storageConfig(env),
    ...http,
    ...keyConfig(env),
    ...managementConfig(env, http.port),
    logLevel: env['CXAUTH_LOG_LEVEL'] || 'info',
    webhooks: webhookConfig(env),
    dpop: dpopConfig(env),
    mail: mailConfig(env),
    ...flat,
    tokens: tokenConfig(env, tokens),
    throttling: throttleConfig(env, throttling),
    retention: retentionConfig(env, retention),
    signIn: signInConfig(env, signIn),
    admin: adminApiConfig(env, admin),
  };
  checkWhole(config);
  return deepFreeze(config);
}

/**
 * The checks that hold whatever set a value (the environment or code): what each flat setting may be,
 * and the combinations that cannot work. Each message names the variable and what to change.
 */
function checkWhole(config: ServerConfig): void {
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(config.databaseUrl)) {
    throw new ConfigError('CXAUTH_DATABASE_URL must start with sqlite: or postgres://.');
  }
  if (config.kek !== undefined && (!Buffer.isBuffer(config.kek) || config.kek.length !== 32)) {
    throw new ConfigError(
      'The key-encryption key must be exactly 32 bytes (CXAUTH_KEK: openssl rand -base64 32).',
    );
  }
  if (config.kek === undefined && !config.databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError(
      'CXAUTH_KEK is required with PostgreSQL: every node sharing the database must use the same key-encryption key.',
    );
  }
  if (issuerFrom(config.issuer) !== config.issuer) {
    throw new ConfigError(`CXAUTH_ISSUER must not end with a slash; it is "${config.issuer}".`);
  }
  const ports: [string, number | undefined][] = [
    ['CXAUTH_PORT', config.port],
    ['CXAUTH_API_PORT', config.apiPort],
    ['CXAUTH_MANAGEMENT_PORT', config.managementPort],
  ];
  for (const [name, port] of ports) {
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new ConfigError(`${name} must be a port number from 0 to 65535; it is ${port}.`);
    }
  }
  if (
    config.managementPort !== undefined &&
    config.managementPort !== 0 &&
    config.managementPort === config.port
  ) {
    throw new ConfigError(
      `CXAUTH_MANAGEMENT_PORT must differ from CXAUTH_PORT (${config.port}): metrics are never served on the public port.`,
    );
  }
  if (!SIGNING_ALGS.includes(config.signingAlg)) {
    throw new ConfigError(
      `CXAUTH_SIGNING_ALG must be one of ${SIGNING_ALGS.join(', ')}; it is "${config.signingAlg}".`,
    );
  }
  const keyTimes: [string, number, number][] = [
    ['CXAUTH_KEY_ROTATION_DAYS', config.keyRotationDays, 0],
    ['jwksMaxAge', config.jwksMaxAge, 0],
    ['keyReloadMs', config.keyReloadMs, 1],
  ];
  for (const [name, value, min] of keyTimes) {
    if (!(Number.isInteger(value) && value >= min)) {
      throw new ConfigError(`${name} must be a whole number of ${min} or more; it is ${value}.`);
    }
  }
  if (!LOG_LEVELS.includes(config.logLevel)) {
    throw new ConfigError(
      `CXAUTH_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; it is "${config.logLevel}".`,
    );
  }
}

/** Freezes the configuration and every plain object and array in it (a Buffer stays as it is). */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}
