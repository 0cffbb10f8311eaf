// `cxauth admin user import FILE --tenant ID [--dry-run]`: users from a CSV or JSON file (docs/people.md,
// "Bulk import"), sent in batches of at most MAX_IMPORT_ROWS rows, with one report for the whole file
// whose row numbers count the file's records. The file's password hashes go to the service and are
// never printed.
import { readFile } from 'node:fs/promises';
import { type Admin, type ImportReport, type ImportRow, MAX_IMPORT_ROWS } from '@cxauth/server';
import { parse } from 'csv-parse/sync';
import { CliError, EXIT } from '../../io.js';
import type { Verb } from './spec.js';

/** The columns (CSV) or members (JSON) of a row. */
export const IMPORT_COLUMNS = ['email', 'given_name', 'family_name', 'role', 'password_hash'] as const;

/** The rows of a CSV file: a header row naming columns of IMPORT_COLUMNS, then one user per record. */
function csvRows(text: string): ImportRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (err) {
    // csv-parse names the line; the message never holds more than the position.
    const where = (err as { lines?: number }).lines;
    throw new CliError(`the CSV file is malformed${where ? ` near line ${where}` : ''}`, EXIT.usage);
  }
  const [header, ...data] = records;
  if (!header) throw new CliError('the CSV file is empty (expected a header row: email,…)', EXIT.usage);
  const columns = header.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0 || !columns.includes('email')) {
    throw new CliError(
      `the CSV header must name columns of ${IMPORT_COLUMNS.join(', ')} (with email)` +
        (unknown.length > 0 ? `, not ${unknown.map((c) => `"${c}"`).join(', ')}` : ''),
      EXIT.usage,
    );
  }
  // An empty cell is an absent value.
  return data.map((record) =>
    Object.fromEntries(columns.map((c, i) => [c, record[i] ?? '']).filter(([, v]) => v !== '')),
  );
}

/** The rows of a JSON file: an array of rows, or `{"users": [...]}` as the API takes them. */
function jsonRows(text: string): ImportRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError('the JSON file is malformed', EXIT.usage);
  }
  const rows = Array.isArray(data) ? data : (data as { users?: unknown } | null)?.users;
  if (!Array.isArray(rows)) throw new CliError('the JSON file must hold an array of users', EXIT.usage);
  return rows.map((row) => (typeof row === 'object' && row !== null && !Array.isArray(row) ? row : {}));
}

/** A file's rows: JSON when it is named `.json` or starts with `[` or `{`, CSV otherwise. */
export function importRows(file: string, text: string): ImportRow[] {
  const json = /\.json$/i.test(file) || /^\s*[[{]/.test(text);
  return json ? jsonRows(text) : csvRows(text);
}

/** Sends `rows` in batches and joins their reports, row numbers counted over the whole file. */
export async function importInBatches(
  admin: Admin,
  tenantId: string,
  rows: readonly ImportRow[],
  dryRun: boolean,
  batch = MAX_IMPORT_ROWS,
): Promise<ImportReport> {
  if (rows.length === 0) throw new CliError('the file holds no users', EXIT.usage);
  const total: ImportReport = { tenantId, dry_run: dryRun, created: 0, exists: 0, invalid: 0, rows: [] };
  for (let start = 0; start < rows.length; start += batch) {
    const report = await admin.importUsers(tenantId, rows.slice(start, start + batch), { dryRun });
    total.tenantId = report.tenantId;
    total.created += report.created;
    total.exists += report.exists;
    total.invalid += report.invalid;
    for (const row of report.rows) total.rows.push({ ...row, row: row.row + start });
  }
  return total;
}

/** The human report: one line per row, then the counts. */
function formatReport(result: unknown): string {
  const r = result as ImportReport;
  const lines = r.rows.map((row) =>
    [`row ${row.row}`, row.email ?? '(no email)', row.outcome, row.reason ?? row.id ?? '']
      .join('\t')
      .trimEnd(),
  );
  const verb = r.dry_run ? 'dry run, nothing written: would create' : 'created';
  lines.push(`${verb} ${r.created}, exists ${r.exists}, invalid ${r.invalid} (tenant ${r.tenantId})`);
  return lines.join('\n');
}

export const USER_IMPORT: Verb = {
  usage: 'FILE --tenant ID [--dry-run]  (CSV with a header row, or JSON; docs/people.md)',
  options: {
    tenant: { type: 'string', description: 'tenant id' },
    'dry-run': { type: 'boolean', description: 'check every row and report, writing nothing' },
  },
  id: 'FILE',
  async run(admin, v, file) {
    const tenant = v['tenant'];
    if (typeof tenant !== 'string' || tenant === '') throw new CliError('--tenant is required', EXIT.usage);
    let text: string;
    try {
      text = await readFile(file ?? '', 'utf8');
    } catch {
      throw new CliError(`cannot read ${file}`, EXIT.usage);
    }
    return importInBatches(admin, tenant, importRows(file ?? '', text), v['dry-run'] === true);
  },
  format: formatReport,
};
