// `npm run bench`: starts cxauth and its baselines, measures each group, prints the tables, saves the results.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBareServer, startPeer } from './lib/baselines.js';
import { buildGroup } from './lib/cases.js';
import { barChart } from './lib/chart.js';
import {
  findNonOpenidScope,
  passwordForm,
  startCxauth,
  startRegionalApi,
  tokenRequest,
} from './lib/cxauth.js';
import { dpopToken } from './lib/dpop.js';
import { startFederationTarget } from './lib/federation.js';
import { parseOptions, USAGE } from './lib/options.js';
import { createDatabase } from './lib/postgres.js';
import { cleanupAll, installCleanup, onCleanup, stopChild } from './lib/processes.js';
import { profileText, summarizeProfile } from './lib/profile.js';
import { chartBars, markdownReport, textReport } from './lib/report.js';
import { runGroup } from './lib/runner.js';
import { startScaleTargets } from './lib/scale.js';
import { startScimTarget } from './lib/scim.js';
import { startImportTarget } from './lib/user-import.js';
import { startHookedCxauth } from './lib/webhooks.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const log = (line) => process.stderr.write(`${line}\n`);
const MARK_START = '<!-- bench:results:start -->';
const MARK_END = '<!-- bench:results:end -->';

function machine() {
  const cpus = os.cpus();
  const load = () => os.loadavg()[0].toFixed(2);
  const info = {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    loadBefore: load(),
  };
  info.summary = `${info.cores} cores, ${info.cpu}, ${info.memoryGiB} GiB, Node ${info.node}, ${info.os}, libuv pool ${info.uvThreadpoolSize}`;
  info.load = load;
  return info;
}

/** Starts what the selected groups need; a target that cannot start is reported and its cases skipped. */
async function startTargets(opts, work) {
  const t = { why: {} };
  const groups = new Set(opts.groups);
  const needCx = ['token', 'api', 'discovery', 'peer', 'compare', 'webhooks'].some((g) => groups.has(g));
  const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles')}`] : [];
  if (needCx) {
    try {
      t.cx = await startCxauth({
        dataDir: path.join(work, 'sqlite'),
        logFile: path.join(work, 'cxauth.log'),
        nodeArgs,
        cli: opts.cli,
      });
      log(`cxauth serve --demo (SQLite) is up: ${t.cx.issuer}, API ${t.cx.api}, pid ${t.cx.pid}`);
    } catch (err) {
      t.why.cx = err.message.split('\n')[0];
      log(err.message);
    }
  }
  if (t.cx) {
    try {
      t.accessToken = (await tokenRequest(t.cx.issuer, t.cx.creds, passwordForm(t.cx.creds))).access_token;
    } catch (err) {
      t.why.accessToken = `no access token for the API case: ${err.message}`;
    }
    if (groups.has('api')) {
      try {
        t.dpop = await dpopToken(t.cx.issuer, t.cx.creds);
      } catch (err) {
        t.why.dpop = `no DPoP-bound token for the API case: ${err.message}`;
      }
      try {
        t.dpopRs256 = await dpopToken(t.cx.issuer, t.cx.creds, 'RS256');
      } catch (err) {
        t.why.dpopRs256 = `no DPoP-bound token (RS256 key) for the API case: ${err.message}`;
      }
    }
    // The same regional API alone, with and without the revocation feed, for the same-run comparison.
    if (groups.has('api')) {
      for (const [key, revocation] of [
        ['apiRevocationOff', false],
        ['apiRevocationOn', true],
      ]) {
        try {
          const name = revocation ? 'on' : 'off';
          t[key] = await startRegionalApi({
            issuer: t.cx.issuer,
            dataDir: path.join(work, `api-revocation-${name}`),
            logFile: path.join(work, `api-revocation-${name}.log`),
            revocation,
            cli: opts.cli,
          });
        } catch (err) {
          t.why[key] = err.message.split('\n')[0];
        }
      }
    }
    if (groups.has('peer')) {
      t.scope1 = await findNonOpenidScope(t.cx.issuer, t.cx.creds);
      if (!t.scope1) t.why.scope1 = 'cxauth grants no scope without openid';
    }
  }
  if (groups.has('api') || groups.has('discovery')) {
    let bodies;
    if (t.cx) {
      const get = async (p) => (await fetch(`${t.cx.issuer}${p}`)).json();
      bodies = { discovery: await get('/.well-known/openid-configuration'), jwks: await get('/auth/jwks') };
    }
    t.bare = await startBareServer(bodies ?? {}, work);
    t.bare.bodies = bodies;
  }
  if (groups.has('peer')) t.peer = await startPeer();
  if (groups.has('compare')) {
    try {
      t.base = await startCxauth({
        dataDir: path.join(work, 'compare'),
        logFile: path.join(work, 'cxauth-compare.log'),
        cli: path.resolve(opts.compareCli),
        machineApp: false,
      });
      t.base.cli = opts.compareCli;
      log(`the --compare-cli build is up: ${t.base.issuer}, pid ${t.base.pid}`);
    } catch (err) {
      t.why.base = err.message.split('\n')[0];
      log(err.message);
    }
  }
  if (groups.has('postgres')) {
    try {
      const db = await createDatabase();
      onCleanup(db.drop);
      const kek = randomBytes(32).toString('base64');
      t.pg = await startCxauth({
        dataDir: path.join(work, 'postgres'),
        databaseUrl: db.url,
        kek,
        logFile: path.join(work, 'cxauth-postgres.log'),
        cli: opts.cli,
      });
      log(`cxauth serve --demo (PostgreSQL) is up: ${t.pg.issuer}, pid ${t.pg.pid}`);
    } catch (err) {
      t.why.pg = err.message.split('\n')[0];
      log(`PostgreSQL variant skipped: ${err.message}`);
    }
  }
  if (groups.has('webhooks')) {
    try {
      t.cxHooked = await startHookedCxauth(work, opts, log);
    } catch (err) {
      t.why.cxHooked = err.message.split('\n')[0];
      log(`webhooks case skipped: ${err.message}`);
    }
  }
  t.growPurge = opts.growPurge;
  await startScaleTargets(opts, work, t, log);
  await startScimTarget(opts, work, t, log);
  await startImportTarget(opts, work, t, log);
  await startFederationTarget(opts, work, t, log);
  return t;
}

function replaceSection(file, section) {
  const doc = readFileSync(file, 'utf8');
  const start = doc.indexOf(MARK_START);
  const end = doc.indexOf(MARK_END);
  if (start < 0 || end < start) throw new Error(`${file} lacks the ${MARK_START} … ${MARK_END} markers`);
  writeFileSync(file, `${doc.slice(0, start + MARK_START.length)}\n${section}\n${doc.slice(end)}`);
}

function save(results, complete) {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = results.finishedAt.replace(/[:.]/g, '-');
  const runFile = path.join(resultsDir, `run-${stamp}.json`);
  writeFileSync(runFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`results: ${path.relative(root, runFile)}`);
  if (!complete) {
    log(
      'partial run (--only, or a case was skipped): BENCHMARKS.md, latest.json and the chart are left as they were',
    );
    return;
  }
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const subtitle = `% of baseline, median of ${results.settings.rounds} round(s); ${results.machine.cores} cores, Node ${results.machine.node}${results.machine.busy ? '; busy machine' : ''}`;
  writeFileSync(
    path.join(resultsDir, 'chart.svg'),
    barChart({ title: 'cxauth: throughput against its baselines', subtitle, bars: chartBars(results) }),
  );
  const doc = path.join(root, 'BENCHMARKS.md');
  if (existsSync(doc)) {
    replaceSection(
      doc,
      markdownReport(results, {
        chartPath: 'bench/results/chart.svg',
        jsonPath: 'bench/results/latest.json',
      }),
    );
  }
  log('updated BENCHMARKS.md, bench/results/latest.json and bench/results/chart.svg');
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  installCleanup(opts.timeout);
  const info = machine();
  log(
    `bench: groups ${opts.groups.join(', ')}; ${opts.summary}; about ${opts.estimateSeconds} s (limit ${opts.timeout} s)`,
  );
  const work = mkdtempSync(path.join(os.tmpdir(), 'cxauth-bench-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const startedAt = new Date().toISOString();
  const t = await startTargets(opts, work);

  const groups = {};
  for (const name of opts.groups) groups[name] = await runGroup(name, buildGroup(name, t), opts, log);

  let profile;
  if (opts.cpuProf && t.cx) {
    // SIGINT lets cxauth shut down normally, which is when node writes the --cpu-prof file.
    const before = new Set(
      existsSync(path.join(resultsDir, 'profiles')) ? readdirSync(path.join(resultsDir, 'profiles')) : [],
    );
    await stopChild(t.cx.child, { signal: 'SIGINT', graceMs: 20_000 });
    const dir = path.join(resultsDir, 'profiles');
    const fresh = existsSync(dir)
      ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
      : [];
    if (fresh.length === 0) log('no CPU profile was written (cxauth did not exit normally on SIGINT)');
    for (const f of fresh) {
      profile = path.join(dir, f);
      process.stdout.write(`${profileText(path.relative(root, profile), summarizeProfile(profile, 25))}\n\n`);
    }
  }

  info.loadAfter = info.load();
  // The run itself loads every core, so only the load found before it says whether other work was
  // running; interleaved rounds spread any drift during the run over every case alike.
  info.busy = Number(info.loadBefore) >= 0.5 * info.cores;
  delete info.load;
  const results = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: info,
    settings: {
      rounds: opts.rounds,
      duration: opts.duration,
      warmup: opts.warmup,
      connections: opts.connections,
      summary: opts.summary,
    },
    groups,
  };
  process.stdout.write(`${textReport(results)}\n`);
  const skipped = Object.values(groups).some((g) => Object.values(g.measurements).some((m) => m.skipped));
  if (opts.save) save(results, !opts.partial && !skipped && !opts.quick);
  return skipped ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(`bench: ${err.message}`);
} finally {
  await cleanupAll();
}
process.exit(code);
