// `node bench/capacity.js` (after npx tsc -b): what one grant costs PostgreSQL, for docs/scaling.md.
// Starts `cxauth serve --demo` on a fresh database with the pg driver counted (lib/pg-count.cjs), then per
// grant: statements (= round trips: each is one flight of the extended protocol), transactions, WAL bytes
// of this database alone (pg_walinspect, records of its relations and their transactions' commits), and
// under 32 connections the CPU of cxauth and of this database's PostgreSQL backends per grant.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { passwordForm, startCxauth, tokenHeaders, tokenRequest } from './lib/cxauth.js';
import { load } from './lib/load.js';
import { createDatabase } from './lib/postgres.js';
import { cleanupAll, cpuTimeMs, installCleanup, onCleanup, stopChild } from './lib/processes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.CAPACITY_GRANTS ?? 400);
const DURATION = Number(process.env.CAPACITY_SECONDS ?? 3);

async function main() {
  installCleanup(600);
  const work = mkdtempSync(path.join(os.tmpdir(), 'cxauth-capacity-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const db = await createDatabase();
  onCleanup(db.drop);
  const countsFile = path.join(work, 'counts.json');
  const cx = await startCxauth({
    dataDir: path.join(work, 'data'),
    databaseUrl: db.url,
    kek: randomBytes(32).toString('base64'),
    logFile: path.join(work, 'cxauth.log'),
    nodeArgs: ['--require', path.join(here, 'lib', 'pg-count.cjs')],
    env: { CXAUTH_BENCH_PG_COUNTS: countsFile },
  });
  onCleanup(() => stopChild(cx.child));
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  onCleanup(() => admin.end());
  await admin.query('create extension if not exists pg_walinspect');
  const oid = (await admin.query('select oid from pg_database where datname = current_database()')).rows[0]
    .oid;

  const counts = async () => {
    process.kill(cx.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
    return JSON.parse(readFileSync(countsFile, 'utf8'));
  };
  const lsn = async () => (await admin.query('select pg_current_wal_flush_lsn() as l')).rows[0].l;
  const commits = async () =>
    Number(
      (await admin.query('select xact_commit from pg_stat_database where datid = $1', [oid])).rows[0]
        .xact_commit,
    );
  // WAL of this database: records touching its relations, and the commit records of their transactions.
  const walBytes = async (from, to) => {
    const { rows } = await admin.query(
      `with r as (select * from pg_get_wal_records_info($1, $2)),
            ours as (select distinct xid from r where block_ref like $3 and xid <> 0)
       select coalesce(sum(record_length), 0)::bigint as bytes, count(*)::int as records
       from r where block_ref like $3 or (resource_manager = 'Transaction' and xid in (select xid from ours))`,
      [from, to, `%/${oid}/%`],
    );
    return { bytes: Number(rows[0].bytes), records: rows[0].records };
  };
  const backendCpuMs = async () => {
    const { rows } = await admin.query('select pid from pg_stat_activity where datname = current_database()');
    return rows.reduce((sum, r) => sum + (cpuTimeMs(r.pid) ?? 0), 0);
  };

  let refresh = (await tokenRequest(cx.issuer, cx.creds, passwordForm(cx.creds))).refresh_token;
  const grants = {
    password: () => tokenRequest(cx.issuer, cx.creds, passwordForm(cx.creds)),
    refresh_token: async () => {
      const res = await tokenRequest(
        cx.issuer,
        cx.creds,
        `grant_type=refresh_token&refresh_token=${refresh}`,
      );
      refresh = res.refresh_token;
    },
    client_credentials: () => tokenRequest(cx.issuer, cx.machineCreds, 'grant_type=client_credentials'),
  };
  const report = {};
  for (const [name, grant] of Object.entries(grants)) {
    for (let i = 0; i < 20; i++) await grant();
    await counts();
    const [lsn0, commits0] = [await lsn(), await commits()];
    for (let i = 0; i < N; i++) await grant();
    const [lsn1, commits1] = [await lsn(), await commits()];
    const statements = await counts();
    // A grant that writes nothing leaves the WAL where it was (pg_walinspect refuses an empty range).
    const wal = lsn0 === lsn1 ? { bytes: 0, records: 0 } : await walBytes(lsn0, lsn1);
    const total = Object.values(statements).reduce((a, b) => a + b, 0);
    report[name] = {
      statementsPerGrant: total / N,
      statements: Object.fromEntries(
        Object.entries(statements).map(([sql, n]) => [sql.replace(/\s+/g, ' ').slice(0, 90), n / N]),
      ),
      transactionsPerGrant: (commits1 - commits0) / N,
      walBytesPerGrant: wal.bytes / N,
      walRecordsPerGrant: wal.records / N,
    };
  }
  // CPU under load: cxauth (all threads) and this database's backends, per successful grant.
  const requests = {
    password: {
      method: 'POST',
      path: '/auth/token',
      headers: tokenHeaders(cx.creds),
      body: passwordForm(cx.creds),
    },
    client_credentials: {
      method: 'POST',
      path: '/auth/token',
      headers: tokenHeaders(cx.machineCreds),
      body: 'grant_type=client_credentials',
    },
  };
  for (const [name, request] of Object.entries(requests)) {
    await load({ url: cx.issuer, request, duration: 1, connections: 32 });
    const [cx0, pg0] = [cpuTimeMs(cx.pid), await backendCpuMs()];
    const r = await load({ url: cx.issuer, request, duration: DURATION, connections: 32 });
    const [cx1, pg1] = [cpuTimeMs(cx.pid), await backendCpuMs()];
    Object.assign(report[name], {
      underLoad: {
        grantsPerSecond: Math.round(r.rps),
        p99Ms: r.p99,
        cxauthCpuUsPerGrant: Math.round(((cx1 - cx0) * 1000) / r.ok),
        postgresBackendCpuUsPerGrant: Math.round(((pg1 - pg0) * 1000) / r.ok),
      },
    });
  }
  process.stdout.write(
    `${JSON.stringify({ grantsMeasured: N, machine: `${os.cpus().length} cores`, report }, null, 2)}\n`,
  );
}

let code = 1;
try {
  await main();
  code = 0;
} catch (err) {
  process.stderr.write(`capacity: ${err.stack}\n`);
} finally {
  await cleanupAll();
}
process.exit(code);
