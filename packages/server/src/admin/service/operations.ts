// Admin of operational records: listing audit events and purging what has ended (the same purge the
// service runs on its schedule).
import type { RetentionConfig } from '../../config/retention.js';
import { RETENTION_DEFAULTS } from '../../config/retention.js';
import { THROTTLE_DEFAULTS, type ThrottleConfig } from '../../config/throttling.js';
import { TOKEN_DEFAULTS, type TokenConfig } from '../../config/tokens.js';
import { type PurgeReport, purge } from '../../maintenance/purge.js';
import { auditJson } from '../../observability/audit.js';
import type { AdminContext } from './context.js';
import { invalid } from './context.js';

export interface AuditQuery {
  /** An ISO 8601 time, or a duration back from now: `30m`, `24h`, `7d`. */
  since?: string;
  /** An event type, or a prefix ending in `.` or `*` (`grant.*`). */
  type?: string;
  limit?: number;
}

export interface OperationsSettings {
  readonly retention?: RetentionConfig;
  readonly throttling?: Pick<ThrottleConfig, 'window'>;
  /** The service's token lifetimes; unknown, revocation events are kept for the longest allowed. */
  readonly tokens?: Pick<TokenConfig, 'accessTokenTtl' | 'clockTolerance'>;
}

/** The longest access-token lifetime the configuration accepts (CXAUTH_ACCESS_TOKEN_TTL), s. */
const LONGEST_TOKEN_LIFETIME = { accessTokenTtl: 86_400, clockTolerance: TOKEN_DEFAULTS.clockTolerance };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function sinceOf(raw: string, now: Date): Date {
  const duration = /^(\d+)([smhd])$/.exec(raw);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] ?? 0));
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at.getTime())) {
    throw invalid(`since must be an ISO 8601 time or a duration such as 24h, got "${raw}"`);
  }
  return at;
}

export function operationsAdmin(ctx: AdminContext, settings: OperationsSettings = {}) {
  return {
    /** Audit events, newest first. */
    async listAuditEvents(query: AuditQuery = {}): Promise<Record<string, unknown>[]> {
      if (query.type !== undefined && !/^[a-z_]+(\.[a-z_]*)*\*?$/.test(query.type)) {
        throw invalid(`type must be an event type such as grant.refused or a prefix such as grant.*`);
      }
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
        throw invalid('limit must be a whole number of at least 1');
      }
      const events = await ctx.storage.auditEvents.list({
        since: query.since === undefined ? undefined : sinceOf(query.since, ctx.clock()),
        type: query.type,
        limit: query.limit,
      });
      return events.map(auditJson);
    },
    /**
     * Deletes expired and ended records in batches; returns, per kind, how many and whether it
     * failed (the other kinds still ran).
     */
    async purge(): Promise<PurgeReport> {
      return purge(ctx.storage, {
        retention: settings.retention ?? RETENTION_DEFAULTS,
        throttling: settings.throttling ?? THROTTLE_DEFAULTS,
        tokens: settings.tokens ?? LONGEST_TOKEN_LIFETIME,
        now: ctx.clock(),
      });
    },
  };
}
