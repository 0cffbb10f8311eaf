// `cxauth admin audit` and `cxauth admin purge` (docs/admin.md "Audit events" and "Purge"): the audit
// trail, newest first, and the purge of what has ended, with what it deleted.
import { CliError, EXIT } from '../../io.js';
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

function purgeLines(result: unknown): string {
  return Object.entries(result as Record<string, number>)
    .map(([name, count]) => `${name}  ${count} deleted`)
    .join('\n');
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
    summary: 'delete expired sessions, refresh tokens, old audit events and idle throttle counters',
    defaultVerb: 'run',
    verbs: {
      run: { usage: '', options: {}, format: purgeLines, run: (admin) => admin.purge() },
    },
  },
};
