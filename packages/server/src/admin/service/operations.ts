// Admin of operational records: listing audit events and purging what has ended (the same purge the
// service runs on its schedule).
import type { Static } from '@sinclair/typebox';
import type { RetentionConfig } from '../../config/retention.js';
import { RETENTION_DEFAULTS } from '../../config/retention.js';
import { THROTTLE_DEFAULTS, type ThrottleConfig } from '../../config/throttling.js';
import { TOKEN_DEFAULTS, type TokenConfig } from '../../config/tokens.js';
import { type PurgeReport, purge } from '../../maintenance/purge.js';
import { auditJson } from '../../observability/audit.js';
import type * as Wire from '../api/schemas.js';
import type { AdminContext } from './context.js';
import { invalid } from './context.js';

export interface AuditQuery {
  /** An ISO 8601 time, or a duration back from now: `30m`, `24h`, `7d`. */
  since?: string;
  /** An event type, or a prefix ending in `.` or `*` (`grant.*`). */
  type?: string;
  /** Only this tenant's events. */
  tenantId?: string;
  /** Only events by one of these actors (`user:<id>`, `client:<id>`, `cli`). */
  actors?: readonly string[];
  /** Only events older than this one (keyset paging, in the listing's order). */
  before?: { at: Date; id: string };
  limit?: number;
}

export interface ActivityInput {
  /** As for the audit log: an ISO 8601 time or a duration back from now (default `24h`). */
  since?: string;
  /** The bucket's length: `5m`, `1h`, `1d`… (default: a length that gives at most 48 buckets). */
  bucket?: string;
  tenantId?: string;
}

/** The admin API's wire shape (admin/api/schemas.ts). */
export type ActivityView = Static<typeof Wire.Stats>;

/** The most buckets one statistics answer holds. */
export const MAX_BUCKETS = 500;
/** Bucket lengths offered when none is asked: the first that gives at most 48 buckets. */
const NICE_BUCKETS_MS = [60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 86_400_000];

function bucketOf(raw: string): number {
  const m = /^(\d+)([smhd])$/.exec(raw);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0) : 0;
  if (ms < 60_000) {
    throw invalid(`bucket must be a duration of at least 1m such as 5m, 1h or 1d, got "${raw}"`, {
      in: 'querystring',
      name: 'bucket',
    });
  }
  return ms;
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

export function sinceOf(raw: string, now: Date): Date {
  const duration = /^(\d+)([smhd])$/.exec(raw);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] ?? 0));
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at.getTime())) {
    throw invalid(`since must be an ISO 8601 time or a duration such as 24h, got "${raw}"`, {
      in: 'querystring',
      name: 'since',
    });
  }
  return at;
}

export function operationsAdmin(ctx: AdminContext, settings: OperationsSettings = {}) {
  return {
    /** Audit events, newest first. */
    async listAuditEvents(query: AuditQuery = {}): Promise<Record<string, unknown>[]> {
      if (query.type !== undefined && !/^[a-z_]+(\.[a-z_]*)*\*?$/.test(query.type)) {
        throw invalid(`type must be an event type such as grant.refused or a prefix such as grant.*`, {
          in: 'querystring',
          name: 'type',
        });
      }
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
        throw invalid('limit must be a whole number of at least 1');
      }
      const events = await ctx.storage.auditEvents.list({
        since: query.since === undefined ? undefined : sinceOf(query.since, ctx.clock()),
        type: query.type,
        ...(query.tenantId === undefined ? {} : { tenantId: query.tenantId }),
        ...(query.actors === undefined ? {} : { actors: query.actors }),
        ...(query.before === undefined ? {} : { before: query.before }),
        limit: query.limit,
      });
      return events.map(auditJson);
    },
    /**
     * What the service did per bucket since `since` (sign-ins, failures, throttling, tokens issued,
     * sessions open), counted by the database; buckets start at whole multiples of their length (UTC).
     */
    async activity(input: ActivityInput = {}): Promise<ActivityView> {
      const now = ctx.clock();
      const from = sinceOf(input.since ?? '24h', now).getTime();
      if (from >= now.getTime()) {
        throw invalid('since must be in the past', { in: 'querystring', name: 'since' });
      }
      const span = now.getTime() - from;
      const size =
        input.bucket === undefined
          ? (NICE_BUCKETS_MS.find((b) => span / b <= 48) ?? 86_400_000)
          : bucketOf(input.bucket);
      const since = Math.floor(from / size) * size;
      // The last bucket holds this very moment (records stamped now are counted).
      const until = now.getTime() + 1;
      const count = Math.ceil((until - since) / size);
      if (count > MAX_BUCKETS) {
        throw invalid(
          `since and bucket give ${count} buckets; at most ${MAX_BUCKETS}: ask for a longer bucket`,
          {
            in: 'querystring',
            name: 'bucket',
          },
        );
      }
      const buckets = await ctx.storage.activity.buckets({
        since: new Date(since),
        until: new Date(until),
        bucketMs: size,
        ...(input.tenantId === undefined ? {} : { tenantId: input.tenantId }),
      });
      const totals = { sign_ins: 0, failures: 0, throttled: 0, tokens_issued: 0 };
      const rows = buckets.map((b) => {
        totals.sign_ins += b.signIns;
        totals.failures += b.failures;
        totals.throttled += b.throttled;
        totals.tokens_issued += b.tokensIssued;
        return {
          start: b.start.toISOString(),
          sign_ins: b.signIns,
          failures: b.failures,
          throttled: b.throttled,
          tokens_issued: b.tokensIssued,
          active_sessions: b.activeSessions,
        };
      });
      return {
        since: new Date(since).toISOString(),
        until: now.toISOString(),
        bucket_seconds: size / 1000,
        tenantId: input.tenantId ?? null,
        buckets: rows,
        totals,
      };
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
