// The 'import' group (docs/people.md, "Bulk import"): one POST /admin/v1/tenants/{id}/users:import of
// 10,000 new users with mixed password-hash formats into a demo cxauth on SQLite (it must take under a
// minute), and the first sign-in's cost for each imported format: verifying the old hash and hashing the
// password again in the service's scrypt, in-process, beside a sign-in with the service's own hash.
import crypto from 'node:crypto';
import path from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { hashPassword, verifyPassword } from '../../packages/server/dist/secrets/passwords.js';
import { passwordForm, startCxauth, tokenRequest } from './cxauth.js';

export const IMPORT_USERS = 10_000;
const PASSWORD = 'correct horse battery staple';
/** First sign-ins timed per format and round (each is tens to hundreds of milliseconds). */
const SIGN_INS = 6;

/**
 * One hash of PASSWORD per format, with the parameters those systems use by default today: bcrypt cost
 * 10, scrypt ln=14 (not the service's ln=15, so it is upgraded), argon2id m=19 MiB t=2 p=1 (OWASP),
 * passlib's 29,000 PBKDF2 rounds, Django 5's 870,000.
 */
async function formatHashes() {
  const salt = crypto.randomBytes(16);
  const ab64 = (b) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
  const djangoSalt = crypto.randomBytes(12).toString('base64url');
  const pbkdf2 = (s, i) => crypto.pbkdf2Sync(PASSWORD, s, i, 32, 'sha256');
  return {
    bcrypt: await bcryptHash(PASSWORD, { cost: 10 }),
    scrypt: await hashPassword(PASSWORD, { ln: 14, r: 8, p: 1 }),
    argon2id: await argon2Hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 }),
    'pbkdf2-sha256': `$pbkdf2-sha256$29000$${ab64(salt)}$${ab64(pbkdf2(salt, 29000))}`,
    django: `pbkdf2_sha256$870000$${djangoSalt}$${pbkdf2(Buffer.from(djangoSalt), 870000).toString('base64')}`,
  };
}

/** Starts a demo cxauth for the import into `t.imports`, with an operator's admin token and the hashes. */
export async function startImportTarget(opts, work, t, log) {
  if (!opts.groups.includes('import')) return;
  try {
    const cx = await startCxauth({
      cli: opts.cli,
      dataDir: path.join(work, 'import'),
      logFile: path.join(work, 'cxauth-import.log'),
    });
    const token = (await tokenRequest(cx.issuer, cx.creds, passwordForm(cx.creds, 'openid admin')))
      .access_token;
    t.imports = { ...cx, token, hashes: await formatHashes() };
    log(`cxauth serve --demo for the import is up: ${cx.issuer}, pid ${cx.pid}`);
  } catch (err) {
    t.why.imports = err.message.split('\n')[0];
    log(err.message);
  }
}

/** 10,000 rows of new e-mails, the formats taking turns (the same hash string per format). */
function importBody(hashes) {
  const formats = Object.values(hashes);
  const run = crypto.randomUUID().slice(0, 8);
  return JSON.stringify({
    users: Array.from({ length: IMPORT_USERS }, (_, i) => ({
      email: `imported-${run}-${i}@bench.example`,
      given_name: `Given ${i}`,
      family_name: 'Imported',
      password_hash: formats[i % formats.length],
    })),
  });
}

function importMeasurement(t) {
  const id = 'import-10k';
  const label = `bulk import: ${IMPORT_USERS.toLocaleString('en-US')} users, 5 hash formats, one POST …/users:import (SQLite)`;
  if (!t.imports) return { id, label, skipped: t.why?.imports ?? 'import target not started' };
  const cx = t.imports;
  return {
    id,
    label,
    unit: 'users/s',
    noWarmup: true,
    run: async () => {
      const body = importBody(cx.hashes);
      const start = performance.now();
      const res = await fetch(`${cx.issuer}/admin/v1/tenants/${cx.creds.tenantId}/users:import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cx.token}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(120_000),
      });
      const report = await res.json();
      const ms = performance.now() - start;
      if (res.status !== 200 || report.created !== IMPORT_USERS) {
        throw new Error(`import: HTTP ${res.status}, ${JSON.stringify(report).slice(0, 200)}`);
      }
      console.log(`  import: ${IMPORT_USERS} users in ${(ms / 1000).toFixed(2)} s`);
      return { rps: (IMPORT_USERS * 1000) / ms, ok: IMPORT_USERS, p50: Math.round(ms), p99: Math.round(ms) };
    },
  };
}

/** The first sign-in's password work for `format`: verify the imported hash, then hash again. */
function upgradeMeasurement(t, format) {
  const own = format === 'own';
  const id = own ? 'sign-in-own-hash' : `first-sign-in-${format}`;
  const label = own
    ? 'sign-in with the service’s own hash (scrypt ln=15 verify, in-process)'
    : `first sign-in with an imported ${format} hash (verify + upgrade to scrypt, in-process)`;
  if (!t.imports) return { id, label, skipped: t.why?.imports ?? 'import target not started' };
  let ownHash;
  return {
    id,
    label,
    unit: 'sign-ins/s',
    noWarmup: true,
    run: async () => {
      ownHash ??= await hashPassword(PASSWORD);
      const stored = own ? ownHash : t.imports.hashes[format];
      const times = [];
      const verifies = [];
      for (let i = 0; i < SIGN_INS; i++) {
        const start = performance.now();
        const { ok, rehash } = await verifyPassword(PASSWORD, stored);
        if (!ok || rehash === own) throw new Error(`${format}: ok ${ok}, rehash ${rehash}`);
        verifies.push(performance.now() - start);
        if (rehash) await hashPassword(PASSWORD);
        times.push(performance.now() - start);
      }
      const sorted = (xs) => [...xs].sort((a, b) => a - b);
      const at = (xs, q) => Math.round(sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))]);
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      console.log(
        `  ${format}: verify p50 ${at(verifies, 0.5)} ms, verify + upgrade p50 ${at(times, 0.5)} ms (${SIGN_INS} sign-ins)`,
      );
      // Wall time of one sign-in's password work at a time (no CPU figure: it runs on the thread pool).
      return { rps: 1000 / mean, ok: times.length, p50: at(times, 0.5), p99: at(times, 0.99) };
    },
  };
}

export function importGroup(t) {
  return {
    title: 'Bulk user import and the first sign-in of imported password hashes',
    measurements: [
      importMeasurement(t),
      ...['own', 'bcrypt', 'scrypt', 'argon2id', 'pbkdf2-sha256', 'django'].map((f) =>
        upgradeMeasurement(t, f),
      ),
    ],
    comparisons: [
      {
        subject: 'import-10k',
        // 10,000 users in a minute: 166.7 users/s.
        baselineValue: IMPORT_USERS / 60,
        target: 1,
        label: 'bulk import of 10,000 users: users/s / 167 (under a minute)',
      },
    ],
  };
}
