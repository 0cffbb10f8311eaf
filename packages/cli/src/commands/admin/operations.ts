// `cxauth admin audit` and `cxauth admin purge` (docs/admin.md "Audit events" and "Purge"): the audit
// trail, newest first, and the purge of what has ended, with what it deleted.
import { CliError, EXIT, type Io, print } from '../../io.js';
import { type Kind, optional } from './spec.js';

function limitOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new CliError(`--limit must be a whole number of at least 1, got "${raw}"`, EXIT.usage);
  }
  return Number(raw);
}

/** One line per event: time, type, subject, actor, then the details as name=value. */
function auditLines(result: unknown): string {
  const events = result as Record<string, unknown>[];
  if (events.length === 0) return '(no events)';
  return events
    .map((e) => {
      const details = Object.entries((e['details'] ?? {}) as Record<string, unknown>)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(' ');
      return [e['at'], e['type'], e['subject'] ?? '-', e['actor'] ?? '-', details].join('  ').trimEnd();
    })
    .join('\n');
}

type PurgeReport = Record<string, { deleted: number; failed?: string }>;

/** One line per kind: how many it deleted, and why it stopped when it failed. */
function purgeLines(result: unknown): string {
  return Object.entries(result as PurgeReport)
    .map(([name, o]) =>
      o.failed === undefined
        ? `${name}  ${o.deleted} deleted`
        : `${name}  ${o.deleted} deleted, then failed: ${o.failed} (the next run tries it again)`,
    )
    .join('\n');
}

/**
 * The purge, its report printed, and exit 1 when a kind failed (the others ran): a scheduled job
 * notices without parsing the output.
 */
async function purgeRun(run: () => Promise<unknown>, json: boolean, io: Io): Promise<PurgeReport> {
  const report = (await run()) as PurgeReport;
  const failed = Object.entries(report).filter(([, o]) => o.failed !== undefined);
  if (failed.length === 0) return report;
  if (json) print(io, report, true);
  else io.stdout(purgeLines(report));
  throw new CliError(`purge: ${failed.map(([name]) => name).join(', ')} failed`, EXIT.failed);
}

export const OPERATION_KINDS: Record<string, Kind> = {
  audit: {
    summary: 'the audit trail (refusals, throttling, changes), newest first',
    defaultVerb: 'list',
    verbs: {
      list: {
        usage: '[--since T] [--type T] [--limit N]',
        options: {
          since: { type: 'string', description: 'ISO 8601 time, or a duration back from now (30m, 24h, 7d)' },
          type: { type: 'string', description: 'an event type, or a prefix such as grant.*' },
          limit: { type: 'string', description: 'at most N events (default 100)' },
        },
        format: auditLines,
        run: (admin, v) =>
          admin.listAuditEvents({
            since: optional(v, 'since'),
            type: optional(v, 'type'),
            limit: limitOf(optional(v, 'limit')),
          }),
      },
    },
  },
  purge: {
    summary:
      'delete what has ended: sessions, refresh tokens, codes, sign-ins, old audit events, idle throttle counters',
    defaultVerb: 'run',
    verbs: {
      run: {
        usage: '',
        options: {},
        format: purgeLines,
        run: (admin, v, _id, io) => purgeRun(() => admin.purge(), v['json'] === true, io),
      },
    },
  },
};
