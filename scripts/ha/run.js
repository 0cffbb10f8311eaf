// `npm run test:ha`: the failover test of docs/ha.md. Starts etcd, a three-member Patroni cluster in
// synchronous mode, HAProxy and PgBouncer (scripts/ha/cluster.js), runs two `cxauth serve auth` nodes
// under load through HAProxy, kills the leader (SIGKILL), judges every acknowledged token, does a planned
// switchover, then the same through PgBouncer in transaction mode; compares password grants against the
// cluster and against one PostgreSQL server; prints the figures as JSON on stdout and exits 0 only when
// every check held. Everything it started is stopped on every exit path; it stops by itself.
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CLI } from '../../bench/lib/cxauth.js';
import { freePort } from '../../bench/lib/ports.js';
import {
  cleanupAll,
  installCleanup,
  onCleanup,
  spawnChild,
  stopChild,
  waitForHttp,
} from '../../bench/lib/processes.js';
import {
  ensurePackages,
  ensureUser,
  killMember,
  rejoin,
  roles,
  startCluster,
  startSingle,
  stopCluster,
  until,
} from './cluster.js';
import { around, judge, startLoad, throughput } from './load.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (line) => process.stderr.write(`ha: ${line}\n`);
/** The whole run's bound, s: a stuck step ends the run (and everything it started) instead of hanging. */
const TIME_LIMIT_S = 1200;
/** DESIGN of the topology (docs/ha.md): tokens again within 15 s of the kill. */
const FAILOVER_BOUND_MS = 15_000;

const kek = randomBytes(32).toString('base64');

/** Starts `cxauth serve auth --demo` on `databaseUrl`; the first node seeds, the others serve it. */
async function startNode({ work, name, databaseUrl, issuer, port }) {
  const dataDir = path.join(work, name);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^CX(AUTH|ONE)_/.test(k)));
  Object.assign(env, {
    CXAUTH_DATA_DIR: dataDir,
    CXAUTH_DATABASE_URL: databaseUrl,
    CXAUTH_KEK: kek,
    CXAUTH_PORT: String(port),
    CXAUTH_HOST: '127.0.0.1',
    CXAUTH_ISSUER: issuer,
    CXAUTH_LOG_FORMAT: 'json',
    CXAUTH_LOG_LEVEL: 'warn',
  });
  const child = spawnChild(process.execPath, [CLI, 'serve', 'auth', '--demo'], {
    env,
    cwd: root,
    logFile: path.join(work, `${name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, child, 120_000);
  return { child, url, dataDir };
}

/** Two nodes on `databaseUrl` behind one issuer (as behind a load balancer); the demo credentials. */
async function startNodes(work, prefix, databaseUrl) {
  const ports = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${ports[0]}`;
  const first = await startNode({ work, name: `${prefix}-1`, databaseUrl, issuer, port: ports[0] });
  const second = await startNode({ work, name: `${prefix}-2`, databaseUrl, issuer, port: ports[1] });
  return { nodes: [first, second], issuer };
}

function credsFrom(work) {
  for (const dir of ['haproxy-1', 'compare-cluster', 'compare-single']) {
    try {
      return JSON.parse(readFileSync(path.join(work, dir, 'demo-credentials.json'), 'utf8'));
    } catch {
      // not this one
    }
  }
  throw new Error('no demo-credentials.json');
}

/** /readyz of one node every 250 ms, as its load balancer would ask it. */
function pollReady(url) {
  let stopped = false;
  const seen = [];
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })
        .then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        })
        .catch(() => 0);
      seen.push({ t, status });
      await sleep(250);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

function readyzBetween(seen, from, to) {
  const statuses = {};
  for (const s of seen.filter((x) => x.t >= from && x.t <= to))
    statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return statuses;
}

/** Kill the leader under load, then a planned switchover under load, through `nodes`. */
async function scenario(name, { cluster, nodes, creds, ctx }) {
  const issuers = nodes.map((n) => n.url);
  const checks = [];

  // Unplanned: the leader's Patroni and PostgreSQL get SIGKILL.
  let load = startLoad({ issuers, creds });
  let ready = pollReady(issuers[0]);
  await sleep(4000);
  const { leader } = await roles(cluster.members);
  if (!leader) throw new Error('no leader before the kill');
  log(`${name}: killing the leader ${leader.name}`);
  const killedAt = performance.now();
  killMember(leader);
  await until(
    'a 200 after the kill',
    async () => {
      const r = await fetch(`${issuers[1]}/readyz`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      return r.status === 200 && performance.now() - killedAt > 2000;
    },
    60_000,
  ).catch(() => undefined);
  await sleep(5000);
  let seen = await load.stop();
  let readyz = await ready.stop();
  const killEnd = performance.now();
  const kill = {
    killed: leader.name,
    ...around(seen.answers, killedAt, killEnd),
    readyz: readyzBetween(readyz, killedAt, killEnd),
    operationsFailed: seen.failed,
    ...(await judge({ issuer: issuers[0], creds, chains: seen.chains })),
    sessionsEndedAfter503: seen.spentAfter503,
  };
  log(`${name}: kill ${JSON.stringify(kill)}`);
  checks.push(
    [
      'first 200 within 15 s of the kill',
      kill.firstOkAfterMs !== null && kill.firstOkAfterMs <= FAILOVER_BOUND_MS,
    ],
    [
      'only 200 and 503 during the failover',
      Object.keys(kill.statuses).every((s) => s === '200' || s === '503'),
    ],
    ['every acknowledged token of the failover works', kill.lastTokensLost === 0 && kill.duplicates === 0],
    ['no session ended by a retry after the failover', kill.sessionsEndedByRetry === 0],
  );

  log(`${name}: ${leader.name} rejoins`);
  await rejoin(leader, ctx, cluster.members);

  // Planned: a switchover to the synchronous standby.
  load = startLoad({ issuers, creds });
  ready = pollReady(issuers[0]);
  await sleep(3000);
  const before = await roles(cluster.members);
  if (!before.leader || !before.sync)
    throw new Error('no leader and synchronous standby before the switchover');
  log(`${name}: switchover ${before.leader.name} -> ${before.sync.name}`);
  const switchedAt = performance.now();
  const res = await fetch(`http://127.0.0.1:${before.leader.restPort}/switchover`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ leader: before.leader.name, candidate: before.sync.name }),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = await res.text();
  if (res.status !== 200) throw new Error(`switchover refused: ${res.status} ${answer}`);
  await until(
    'the new leader',
    async () => (await roles(cluster.members)).leader?.name === before.sync.name,
    60_000,
  );
  const switchedIn = performance.now() - switchedAt;
  await sleep(5000);
  seen = await load.stop();
  readyz = await ready.stop();
  const switchEnd = performance.now();
  const during = around(seen.answers, switchedAt, switchEnd);
  const switchover = {
    from: before.leader.name,
    to: before.sync.name,
    patroniMs: Math.round(switchedIn),
    ...during,
    switchoverErrors: during.notOk,
    readyz: readyzBetween(readyz, switchedAt, switchEnd),
    operationsFailed: seen.failed,
    ...(await judge({ issuer: issuers[0], creds, chains: seen.chains })),
    sessionsEndedAfter503: seen.spentAfter503,
  };
  log(`${name}: switchover ${JSON.stringify(switchover)}`);
  checks.push(
    ['switchover errors = 0', switchover.switchoverErrors === 0],
    [
      'every acknowledged token of the switchover works',
      switchover.lastTokensLost === 0 && switchover.duplicates === 0,
    ],
    ['no session ended by a retry after the switchover', switchover.sessionsEndedByRetry === 0],
  );
  // The switched-off leader rejoins by itself as a replica; wait so the next part starts whole.
  await until(
    'three members after the switchover',
    async () => {
      const r = await roles(cluster.members);
      return r.leader !== undefined && r.sync !== undefined;
    },
    60_000,
  );
  return { kill, switchover, checks: checks.map(([what, ok]) => ({ what: `${name}: ${what}`, ok })) };
}

async function main() {
  installCleanup(TIME_LIMIT_S);
  const installed = ensurePackages();
  const user = ensureUser();
  const work = mkdtempSync('/tmp/cxauth-ha-');
  chownSync(work, user.uid, user.gid);
  // What scripts/ha/test-ha.sh kills on its way out, whatever happened to this process.
  const recordFile = process.env.CXAUTH_HA_RECORD;
  const note = (line) => recordFile && appendFileSync(recordFile, `${line}\n`);
  note(`dir ${work}`);
  const ctx = { work, user, record: (pid) => note(`pid ${pid}`) };
  let cluster;
  let single;
  let passed = false;
  onCleanup(() => {
    // The logs of a failed run are kept for a look (each process's own, and each cxauth node's).
    if (!passed) {
      const kept = `${work}-logs`;
      mkdirSync(kept, { recursive: true });
      for (const f of readdirSync(work).filter((n) => n.endsWith('.log')))
        copyFileSync(path.join(work, f), path.join(kept, f));
      log(`logs kept in ${kept}`);
    }
    rmSync(work, { recursive: true, force: true });
  });
  onCleanup(() => stopCluster(cluster, single));
  const started = performance.now();
  log(`work folder ${work}`);
  cluster = await startCluster(ctx);
  single = await startSingle(ctx);
  log(`cluster up in ${Math.round((performance.now() - started) / 1000)} s`);

  // Password grants: one node on the synchronous cluster through HAProxy, one on a single server.
  const comparePorts = [await freePort(), await freePort()];
  const onCluster = await startNode({
    work,
    name: 'compare-cluster',
    databaseUrl: cluster.urls.haproxyBench,
    issuer: `http://127.0.0.1:${comparePorts[0]}`,
    port: comparePorts[0],
  });
  const onSingle = await startNode({
    work,
    name: 'compare-single',
    databaseUrl: single.url,
    issuer: `http://127.0.0.1:${comparePorts[1]}`,
    port: comparePorts[1],
  });
  const readCreds = (n) => JSON.parse(readFileSync(path.join(n.dataDir, 'demo-credentials.json'), 'utf8'));
  await throughput({ issuer: onCluster.url, creds: readCreds(onCluster), seconds: 2 });
  const passwordGrants = {
    cluster: await throughput({ issuer: onCluster.url, creds: readCreds(onCluster) }),
    single: await throughput({ issuer: onSingle.url, creds: readCreds(onSingle) }),
  };
  log(`password grants ${JSON.stringify(passwordGrants)}`);
  await Promise.all([stopChild(onCluster.child), stopChild(onSingle.child)]);

  const viaHaproxy = await startNodes(work, 'haproxy', cluster.urls.haproxy);
  const creds = credsFrom(work);
  const haproxy = await scenario('HAProxy', { cluster, nodes: viaHaproxy.nodes, creds, ctx });
  await Promise.all(viaHaproxy.nodes.map((n) => stopChild(n.child)));

  const viaPgbouncer = await startNodes(work, 'pgbouncer', cluster.urls.pgbouncer);
  const pgbouncer = await scenario('PgBouncer', { cluster, nodes: viaPgbouncer.nodes, creds, ctx });
  await Promise.all(viaPgbouncer.nodes.map((n) => stopChild(n.child)));

  const checks = [...haproxy.checks, ...pgbouncer.checks];
  const figures = {
    installed,
    seconds: Math.round((performance.now() - started) / 1000),
    passwordGrants,
    haproxy: { kill: haproxy.kill, switchover: haproxy.switchover },
    pgbouncer: { kill: pgbouncer.kill, switchover: pgbouncer.switchover },
    checks,
    passed: checks.every((c) => c.ok),
  };
  passed = figures.passed;
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  for (const c of checks.filter((x) => !x.ok)) log(`FAILED: ${c.what}`);
  await cleanupAll();
  process.exit(figures.passed ? 0 : 1);
}

main().catch(async (err) => {
  log(`failed: ${err.stack ?? err}`);
  await cleanupAll();
  process.exit(1);
});
