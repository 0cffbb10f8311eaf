// The HA topology of docs/ha.md on one machine, from Debian's packages: etcd, a three-member Patroni
// cluster in synchronous mode, HAProxy routing to Patroni's /primary check, PgBouncer in transaction
// mode in front of HAProxy, and one plain PostgreSQL server for comparison. Every process runs as a
// system user (PostgreSQL refuses root), listens on 127.0.0.1 ports picked free, and keeps its files
// in the run's temp folder; the machine's own PostgreSQL on 127.0.0.1:5432 is never touched.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../../bench/lib/ports.js';
import { spawnChild, stopChild } from '../../bench/lib/processes.js';

export const HA_USER = 'cxauth-ha';
const PACKAGES = { patroni: 'patroni', etcd: 'etcd-server', haproxy: 'haproxy', pgbouncer: 'pgbouncer' };
const log = (line) => process.stderr.write(`ha: ${line}\n`);

function onPath(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Installs the Debian packages that are missing (apt-get update + install; needs root). */
export function ensurePackages() {
  const missing = Object.entries(PACKAGES)
    .filter(([command]) => !onPath(command))
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: install them or run as root`);
  log(`installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-q', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  return missing;
}

/** The uid and gid of the system user the cluster runs as, created when missing. */
export function ensureUser() {
  const id = (flag) => Number(execFileSync('id', [flag, HA_USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      HA_USER,
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The newest PostgreSQL server binaries of the installed Debian packages. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server under /usr/lib/postgresql/*/bin');
  return path.join(root, versions[0], 'bin');
}

/** Polls `probe` (true when ready) every 200 ms until `timeoutMs`; throws with `what` past it. */
export async function until(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} not within ${timeoutMs / 1000} s`);
}

async function httpStatus(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status;
}

/** A folder of the run owned by the cluster's user. */
function ownedDir(dir, user) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, user.uid, user.gid);
  return dir;
}

/** The YAML of one Patroni member (JSON is YAML). */
function patroniConfig(m, etcdPort, bin) {
  return JSON.stringify(
    {
      scope: 'cxauth-ha',
      name: m.name,
      log: { level: 'WARNING' },
      restapi: { listen: `127.0.0.1:${m.restPort}`, connect_address: `127.0.0.1:${m.restPort}` },
      etcd3: { hosts: [`127.0.0.1:${etcdPort}`] },
      bootstrap: {
        dcs: {
          // A dead leader's key expires after ttl; loop_wait + 2 * retry_timeout must stay within it.
          ttl: 10,
          loop_wait: 1,
          retry_timeout: 4,
          maximum_lag_on_failover: 1048576,
          synchronous_mode: true,
          postgresql: {
            use_pg_rewind: true,
            parameters: { wal_log_hints: 'on', max_connections: 200, synchronous_commit: 'on' },
          },
        },
        initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
        pg_hba: [
          'local all all trust',
          'host replication replicator 127.0.0.1/32 trust',
          'host all all 127.0.0.1/32 trust',
        ],
      },
      postgresql: {
        listen: `127.0.0.1:${m.pgPort}`,
        connect_address: `127.0.0.1:${m.pgPort}`,
        data_dir: m.dataDir,
        bin_dir: bin,
        pgpass: path.join(m.dir, 'pgpass'),
        authentication: {
          replication: { username: 'replicator', password: 'replicator' },
          superuser: { username: 'postgres', password: 'postgres' },
        },
        parameters: { unix_socket_directories: m.dir, shared_buffers: '32MB', fsync: 'on' },
      },
    },
    null,
    2,
  );
}

/** GET a member's REST API path (JSON). */
export async function rest(member, route) {
  const res = await fetch(`http://127.0.0.1:${member.restPort}${route}`, {
    signal: AbortSignal.timeout(2000),
  });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

/** The cluster as Patroni reports it: members with their role and state. */
export async function clusterState(members) {
  for (const m of members) {
    if (!m.child || m.child.exitCode !== null || m.child.signalCode !== null) continue;
    try {
      const { body } = await rest(m, '/cluster');
      if (Array.isArray(body.members)) return body.members;
    } catch {
      // try the next member
    }
  }
  return [];
}

/** Starts a Patroni member's process (bootstrapping or joining). */
function startMember(m, ctx) {
  m.child = spawnChild('patroni', [m.configFile], {
    env: { ...process.env, HOME: m.dir, PGPASSFILE: path.join(m.dir, 'pgpass') },
    logFile: path.join(ctx.work, `${m.name}.log`),
    cwd: m.dir,
    ...ctx.user,
  });
  ctx.record(m.child.pid);
}

/** The postmaster's pid of a member, from its data folder (Patroni starts it in a session of its own). */
export function postmasterPid(m) {
  try {
    return Number(readFileSync(path.join(m.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/**
 * Starts etcd, three Patroni members (the first bootstraps; the others clone it), HAProxy on the
 * members' /primary check and PgBouncer in transaction mode in front of HAProxy; resolves when there is
 * a primary with a synchronous standby and a `cxauth` database.
 */
export async function startCluster(ctx) {
  const { work, user } = ctx;
  const bin = postgresBin();
  const etcdPort = await freePort();
  const etcdPeer = await freePort();
  const etcdDir = ownedDir(path.join(work, 'etcd'), user);
  const etcd = spawnChild(
    'etcd',
    [
      '--name',
      'e1',
      '--data-dir',
      etcdDir,
      '--listen-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster',
      `e1=http://127.0.0.1:${etcdPeer}`,
      '--log-level',
      'warn',
    ],
    { logFile: path.join(work, 'etcd.log'), cwd: etcdDir, ...user },
  );
  ctx.record(etcd.pid);
  await until('etcd', async () => (await httpStatus(`http://127.0.0.1:${etcdPort}/health`)) === 200);

  const members = [];
  for (const name of ['m1', 'm2', 'm3']) {
    const dir = ownedDir(path.join(work, name), user);
    const m = {
      name,
      dir,
      dataDir: path.join(dir, 'data'),
      pgPort: await freePort(),
      restPort: await freePort(),
    };
    m.configFile = path.join(dir, 'patroni.yml');
    writeFileSync(m.configFile, patroniConfig(m, etcdPort, bin), { mode: 0o600 });
    chownSync(m.configFile, user.uid, user.gid);
    members.push(m);
  }
  startMember(members[0], ctx);
  await until(
    'the first member as primary',
    async () => (await rest(members[0], '/primary')).status === 200,
    120_000,
  );
  for (const m of members.slice(1)) startMember(m, ctx);
  await until(
    'three running members with a synchronous standby',
    async () => {
      const state = await clusterState(members);
      return (
        state.filter((s) => s.state === 'running' || s.state === 'streaming').length === 3 &&
        state.some((s) => s.role === 'sync_standby')
      );
    },
    180_000,
  );

  const haproxyPort = await freePort();
  const haproxyDir = ownedDir(path.join(work, 'haproxy'), user);
  const haproxyCfg = path.join(haproxyDir, 'haproxy.cfg');
  writeFileSync(
    haproxyCfg,
    [
      'global',
      '  maxconn 1000',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 30m',
      '  timeout server 30m',
      '  timeout check 1s',
      'listen primary',
      `  bind 127.0.0.1:${haproxyPort}`,
      // Patroni answers 200 on /primary only on the member that holds the leader key and runs as primary.
      '  option httpchk OPTIONS /primary',
      '  http-check expect status 200',
      '  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
      ...members.map((m) => `  server ${m.name} 127.0.0.1:${m.pgPort} maxconn 200 check port ${m.restPort}`),
      '',
    ].join('\n'),
  );
  const haproxy = spawnChild('haproxy', ['-db', '-f', haproxyCfg], {
    logFile: path.join(work, 'haproxy.log'),
    cwd: haproxyDir,
    ...user,
  });
  ctx.record(haproxy.pid);
  const haproxyUrl = (db) => `postgres://postgres@127.0.0.1:${haproxyPort}/${db}`;
  // HAProxy starts with every server up until its checks say otherwise: wait for several connections
  // in a row to reach the primary.
  const toPrimary = async () => {
    const client = new pg.Client({ connectionString: haproxyUrl('postgres'), connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query('select not pg_is_in_recovery() as primary')).rows[0].primary;
    } finally {
      await client.end();
    }
  };
  await sleep(1500);
  await until('HAProxy to the primary', async () => {
    for (let i = 0; i < 6; i++) if (!(await toPrimary())) return false;
    return true;
  });
  const admin = new pg.Client({ connectionString: haproxyUrl('postgres') });
  await admin.connect();
  await admin.query('create database cxauth');
  await admin.query('create database cxauth_bench');
  await admin.end();

  const pgbouncerPort = await freePort();
  const pgbDir = ownedDir(path.join(work, 'pgbouncer'), user);
  writeFileSync(path.join(pgbDir, 'userlist.txt'), '"postgres" ""\n');
  const pgbIni = path.join(pgbDir, 'pgbouncer.ini');
  writeFileSync(
    pgbIni,
    [
      '[databases]',
      `cxauth = host=127.0.0.1 port=${haproxyPort} dbname=cxauth`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${pgbouncerPort}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(pgbDir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 40',
      // The default (15 s) would hold every new server connection that long after a failed one.
      'server_login_retry = 1',
      'server_connect_timeout = 2',
      `pidfile = ${path.join(pgbDir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  for (const f of ['userlist.txt', 'pgbouncer.ini']) chownSync(path.join(pgbDir, f), user.uid, user.gid);
  const pgbouncer = spawnChild('pgbouncer', [pgbIni], {
    logFile: path.join(work, 'pgbouncer.log'),
    cwd: pgbDir,
    ...user,
  });
  ctx.record(pgbouncer.pid);
  const pgbouncerUrl = `postgres://postgres@127.0.0.1:${pgbouncerPort}/cxauth`;
  await until('PgBouncer', async () => {
    const client = new pg.Client({ connectionString: pgbouncerUrl, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
    return true;
  });
  return {
    members,
    etcd,
    haproxy,
    pgbouncer,
    urls: {
      haproxy: haproxyUrl('cxauth'),
      haproxyBench: haproxyUrl('cxauth_bench'),
      pgbouncer: pgbouncerUrl,
    },
  };
}

/** Restarts a killed member's Patroni: it rejoins as a replica (pg_rewind when needed). */
export async function rejoin(m, ctx, members) {
  startMember(m, ctx);
  await until(
    `${m.name} back as a replica with a synchronous standby in the cluster`,
    async () => {
      const state = await clusterState(members);
      const me = state.find((s) => s.name === m.name);
      return (
        (me?.state === 'running' || me?.state === 'streaming') &&
        state.filter((s) => s.state === 'running' || s.state === 'streaming').length === 3 &&
        state.some((s) => s.role === 'sync_standby')
      );
    },
    120_000,
  );
}

/** The member Patroni calls leader, and a synchronous standby. */
export async function roles(members) {
  const state = await clusterState(members);
  const leader = members.find((m) => m.name === state.find((s) => s.role === 'leader')?.name);
  const sync = members.find((m) => m.name === state.find((s) => s.role === 'sync_standby')?.name);
  return { leader, sync };
}

/** SIGKILL to a member's Patroni and its postmaster: the machine is gone, nothing shuts down cleanly. */
export function killMember(m) {
  const postmaster = postmasterPid(m);
  for (const pid of [m.child?.pid, postmaster]) {
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A plain PostgreSQL server (initdb + postgres) from the same binaries: the comparison side. */
export async function startSingle(ctx) {
  const bin = postgresBin();
  const dir = ownedDir(path.join(ctx.work, 'single'), ctx.user);
  const data = path.join(dir, 'data');
  execFileSync(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C'],
    {
      stdio: 'ignore',
      ...ctx.user,
    },
  );
  const port = await freePort();
  const child = spawnChild(
    path.join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'shared_buffers=32MB',
      '-c',
      'max_connections=200',
    ],
    { logFile: path.join(ctx.work, 'single.log'), cwd: dir, ...ctx.user },
  );
  ctx.record(child.pid);
  const url = (db) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  await until('the single PostgreSQL server', async () => {
    const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.query('create database cxauth_bench');
    await client.end();
    return true;
  });
  return { child, dataDir: data, url: url('cxauth_bench') };
}

/** Stops the whole topology: Patroni members (which stop PostgreSQL), then everything else. */
export async function stopCluster(cluster, single) {
  if (!cluster) return;
  await Promise.all(
    cluster.members.map((m) => (m.child ? stopChild(m.child, { graceMs: 15_000 }) : undefined)),
  );
  for (const m of cluster.members) {
    const pid = postmasterPid(m);
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // stopped
    }
  }
  await Promise.all(
    [cluster.pgbouncer, cluster.haproxy, cluster.etcd, single?.child]
      .filter(Boolean)
      .map((c) => stopChild(c)),
  );
}
