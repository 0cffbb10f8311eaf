// Bulk import of a tenant's users (docs/people.md, "Bulk import"): rows of e-mail, names, role and an
// optional password hash of another system. Idempotent by e-mail: a user the tenant already has is
// reported `exists` and left as it is. A dry run checks every row and writes nothing. The report names
// each row's outcome and never holds a password hash.
import crypto from 'node:crypto';
import type { User } from '../../domain/types.js';
import { AdminError } from '../../protocol/errors.js';
import { importableHash } from '../../secrets/passwords.js';
import type { ImportedUser } from '../../storage/contract/index.js';
import { type AdminContext, invalid, notFound, optionalText, text } from './context.js';
import { EMAIL, roleNameOf } from './users.js';

/** The most rows one import takes (the CLI sends larger files in batches of this many). */
export const MAX_IMPORT_ROWS = 10_000;

/** One row as it arrives: any member may be missing or wrong, and is then reported, not thrown. */
export interface ImportRow {
  readonly email?: unknown;
  readonly given_name?: unknown;
  readonly family_name?: unknown;
  readonly role?: unknown;
  readonly password_hash?: unknown;
}

export type ImportOutcome = 'created' | 'exists' | 'invalid';

export interface ImportRowReport {
  /** 1-based position of the row in the request. */
  row: number;
  /** The row's e-mail (lower case), or as given when it is not one; null when absent. */
  email: string | null;
  outcome: ImportOutcome;
  /** The new user's id (created rows, not in a dry run). */
  id?: string;
  /** Why the row is invalid. */
  reason?: string;
}

export interface ImportReport {
  tenantId: string;
  dry_run: boolean;
  created: number;
  exists: number;
  invalid: number;
  rows: ImportRowReport[];
}

/** An optional member: absent when null or only spaces (an empty CSV cell), else as given. */
const given = (value: unknown): unknown =>
  value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;

/** What looks like a password hash (a shifted CSV column): never echoed in a report. */
const HASH_LIKE = /^\s*(\$|pbkdf2_)/;

/** The e-mail of an invalid row as the report shows it. */
const shown = (value: unknown): string | null =>
  typeof value !== 'string'
    ? value === undefined || value === null
      ? null
      : String(value)
    : HASH_LIKE.test(value)
      ? null
      : value.trim().slice(0, 254);

/** A role name; the reason never quotes the value (it might be a hash in the wrong column). */
function importedRole(value: unknown): string {
  try {
    return roleNameOf(value);
  } catch {
    throw invalid('role must be a name like "Administrator" (letters, digits, space, _ or -)', 'role');
  }
}

/** The user a valid row makes, or why it is not valid. */
function checkRow(
  tenantId: string,
  row: ImportRow,
  now: Date,
): { email: string; entry: ImportedUser } | { email: string | null; reason: string } {
  let email: string;
  try {
    email = text('email', row.email, 254).toLowerCase();
  } catch (err) {
    return {
      email: shown(row.email),
      reason: err instanceof AdminError ? err.message : 'email is not valid',
    };
  }
  if (!EMAIL.test(email)) return { email: shown(email), reason: 'email must look like name@example.com' };
  let passwordHash: string | null = null;
  try {
    const user: User = {
      id: crypto.randomUUID(),
      tenantId,
      email,
      givenName: optionalText('given name', given(row.given_name), 100),
      familyName: optionalText('family name', given(row.family_name), 100),
      role: {
        id: crypto.randomUUID(),
        legacyId: importedRole(given(row.role)),
        lastUpdateTime: now.getTime(),
        secondaryRoles: [],
      },
      operator: false,
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    const hash = given(row.password_hash);
    if (hash !== undefined) {
      if (typeof hash !== 'string') return { email, reason: 'password_hash must be text' };
      // The hash is a secret: the reason names its format's problem, never the hash itself.
      const checked = importableHash(hash.trim());
      if ('problem' in checked) return { email, reason: `password_hash: ${checked.problem}` };
      passwordHash = hash.trim();
    }
    return { email, entry: { user, passwordHash } };
  } catch (err) {
    if (err instanceof AdminError) return { email, reason: err.message };
    throw err;
  }
}

export function userImportAdmin(ctx: AdminContext) {
  return {
    /**
     * Imports `rows` into `tenantId`: every valid row whose e-mail the tenant does not have yet
     * becomes an active user (with its password hash, or none: that person sets one through "Forgot
     * password?"). Rows are checked independently; a bad row never stops the others.
     */
    async importUsers(
      tenantId: string,
      rows: readonly ImportRow[],
      options: { dryRun?: boolean } = {},
    ): Promise<ImportReport> {
      const id = text('tenant', tenantId, 64);
      if (rows.length === 0) throw invalid('users must hold at least one row', 'users');
      if (rows.length > MAX_IMPORT_ROWS) {
        throw invalid(`at most ${MAX_IMPORT_ROWS} rows per import (send larger files in batches)`, 'users');
      }
      if (!(await ctx.storage.tenants.get(id))) throw notFound('tenant', id);
      const dryRun = options.dryRun === true;
      const now = ctx.clock();
      const reports: ImportRowReport[] = [];
      const firstRow = new Map<string, number>();
      const pending: { report: ImportRowReport; entry: ImportedUser }[] = [];
      rows.forEach((row, i) => {
        const number = i + 1;
        const checked = checkRow(id, typeof row === 'object' && row !== null ? row : {}, now);
        if ('reason' in checked) {
          reports.push({ row: number, email: checked.email, outcome: 'invalid', reason: checked.reason });
          return;
        }
        const earlier = firstRow.get(checked.email);
        if (earlier !== undefined) {
          reports.push({
            row: number,
            email: checked.email,
            outcome: 'invalid',
            reason: `the same e-mail as row ${earlier}`,
          });
          return;
        }
        firstRow.set(checked.email, number);
        const report: ImportRowReport = { row: number, email: checked.email, outcome: 'created' };
        reports.push(report);
        pending.push({ report, entry: checked.entry });
      });
      const taken = await ctx.storage.users.emailsTaken(
        id,
        pending.map((p) => p.entry.user.email),
      );
      const fresh = pending.filter((p) => {
        if (!taken.has(p.entry.user.email)) return true;
        p.report.outcome = 'exists';
        return false;
      });
      if (!dryRun && fresh.length > 0) {
        const stored = await ctx.storage.users.createMany(
          fresh.map((p) => p.entry),
          now,
        );
        for (const p of fresh) {
          if (stored.has(p.entry.user.id)) p.report.id = p.entry.user.id;
          else p.report.outcome = 'exists';
        }
      }
      const count = (outcome: ImportOutcome) => reports.filter((r) => r.outcome === outcome).length;
      return {
        tenantId: id,
        dry_run: dryRun,
        created: count('created'),
        exists: count('exists'),
        invalid: count('invalid'),
        rows: reports,
      };
    },
  };
}
