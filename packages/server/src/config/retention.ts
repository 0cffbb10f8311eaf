// How long operational records are kept and how often the purge runs (docs/operations.md "Purge").
import { integer } from './env.js';

export interface RetentionConfig {
  /** CXAUTH_AUDIT_RETENTION_DAYS (default 90): audit events older than this are purged. */
  readonly auditRetentionDays: number;
  /** CXAUTH_PURGE_INTERVAL_SECONDS (default 300; 0 turns the scheduled purge off). */
  readonly purgeInterval: number;
  /** CXAUTH_PURGE_BATCH_SIZE (default 1000): rows deleted per statement, so no statement runs long. */
  readonly purgeBatchSize: number;
}

export const RETENTION_DEFAULTS: RetentionConfig = Object.freeze({
  auditRetentionDays: 90,
  purgeInterval: 300,
  purgeBatchSize: 1000,
});

/** Reads CXAUTH_AUDIT_RETENTION_DAYS, CXAUTH_PURGE_INTERVAL_SECONDS and CXAUTH_PURGE_BATCH_SIZE. */
export function retentionConfig(env: NodeJS.ProcessEnv, given?: Partial<RetentionConfig>): RetentionConfig {
  const d = RETENTION_DEFAULTS;
  return Object.freeze({
    auditRetentionDays: integer(env, 'CXAUTH_AUDIT_RETENTION_DAYS', d.auditRetentionDays, 1, 3650),
    purgeInterval: integer(env, 'CXAUTH_PURGE_INTERVAL_SECONDS', d.purgeInterval, 0, 86_400),
    purgeBatchSize: integer(env, 'CXAUTH_PURGE_BATCH_SIZE', d.purgeBatchSize, 10, 100_000),
    ...given,
  });
}
