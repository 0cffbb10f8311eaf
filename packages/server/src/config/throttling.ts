// Throttling of repeated credential failures: how many failures each kind of key allows before it is
// delayed, how the delay grows, and how long failures are remembered (docs/operations.md "Throttling").
import { ConfigError, integer } from './env.js';

export interface ThrottleConfig {
  /** CXAUTH_THROTTLE (default on): `off` disables every check (e.g. behind a gateway that does it). */
  readonly enabled: boolean;
  /** Failures allowed for one identifier from one address before it is delayed (default 5). */
  readonly pairFailures: number;
  /** Failures allowed for one identifier from all addresses together (default 20). */
  readonly identifierFailures: number;
  /** Failures allowed from one source address for all identifiers together (default 100). */
  readonly addressFailures: number;
  /** The first delay, seconds; each further failure doubles it (default 1). */
  readonly baseDelay: number;
  /** The longest delay, seconds (default 900): a delay, never a lockout. */
  readonly maxDelay: number;
  /** Failures older than this are forgotten, seconds (default 3600). */
  readonly window: number;
}

export const THROTTLE_DEFAULTS: ThrottleConfig = Object.freeze({
  enabled: true,
  pairFailures: 5,
  identifierFailures: 20,
  addressFailures: 100,
  baseDelay: 1,
  maxDelay: 900,
  window: 3600,
});

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off; it is "${raw}".`);
}

/**
 * Reads CXAUTH_THROTTLE, CXAUTH_THROTTLE_FAILURES, CXAUTH_THROTTLE_IDENTIFIER_FAILURES,
 * CXAUTH_THROTTLE_ADDRESS_FAILURES, CXAUTH_THROTTLE_BASE_DELAY, CXAUTH_THROTTLE_MAX_DELAY and
 * CXAUTH_THROTTLE_WINDOW (`given` are values passed in code, applied last).
 */
export function throttleConfig(env: NodeJS.ProcessEnv, given?: Partial<ThrottleConfig>): ThrottleConfig {
  const d = THROTTLE_DEFAULTS;
  const config: ThrottleConfig = Object.freeze({
    enabled: onOff(env, 'CXAUTH_THROTTLE', d.enabled),
    pairFailures: integer(env, 'CXAUTH_THROTTLE_FAILURES', d.pairFailures, 1, 1000),
    identifierFailures: integer(env, 'CXAUTH_THROTTLE_IDENTIFIER_FAILURES', d.identifierFailures, 1, 100_000),
    addressFailures: integer(env, 'CXAUTH_THROTTLE_ADDRESS_FAILURES', d.addressFailures, 1, 1_000_000),
    baseDelay: integer(env, 'CXAUTH_THROTTLE_BASE_DELAY', d.baseDelay, 1, 3600),
    maxDelay: integer(env, 'CXAUTH_THROTTLE_MAX_DELAY', d.maxDelay, 1, 86_400),
    window: integer(env, 'CXAUTH_THROTTLE_WINDOW', d.window, 60, 7 * 86_400),
    ...given,
  });
  if (config.maxDelay < config.baseDelay) {
    throw new ConfigError('CXAUTH_THROTTLE_MAX_DELAY must not be less than CXAUTH_THROTTLE_BASE_DELAY.');
  }
  return config;
}
