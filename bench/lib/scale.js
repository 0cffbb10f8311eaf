// The opt-in groups about scale: `--algs` (ES256 and EdDSA signing keys, responses per core of server CPU)
// and `--grow` (a grown database against an empty one in the same run, and the purge's speed).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { basicAuth, FORM, startCxauth } from './cxauth.js';
import { grow, measurePurge } from './grow.js';
import { cxauthTarget, http, passwordGrant, refreshGrant } from './measurements.js';
import { createDatabase } from './postgres.js';
import { onCleanup } from './processes.js';

/** The signing algorithms a deployment may opt into (CXAUTH_SIGNING_ALG), each measured by `--algs`. */
export const ALGS = ['ES256', 'EdDSA'];

/** responses/s per core of server CPU that a faster algorithm should reach. */
const PER_CORE_TARGET = 10_000;

/** client_credentials by the bench's machine client of `cx` (1 signature, no session written). */
export function clientCredentials(id, label, cx) {
  return http({
    id,
    label,
    server: cxauthTarget(cx),
    request: {
      method: 'POST',
      path: '/auth/token',
      headers: {
        authorization: basicAuth(cx.machineCreds.client_id, cx.machineCreds.client_secret),
        'content-type': FORM,
      },
      body: 'grant_type=client_credentials',
    },
    expect: (b) => b?.access_token?.split('.').length === 3,
  });
}

/** Starts what `--algs` and `--grow` need into `t` (a target that cannot start is reported, not fatal). */
export async function startScaleTargets(opts, work, t, log) {
  const start = async (key, what, options) => {
    try {
      t[key] = await startCxauth({ cli: opts.cli, ...options });
      log(`${what} is up: ${t[key].issuer}, pid ${t[key].pid}`);
    } catch (err) {
      t.why[key] = err.message.split('\n')[0];
      log(err.message);
    }
  };
  if (opts.groups.includes('alg')) {
    for (const alg of ALGS) {
      await start(`alg${alg}`, `cxauth serve --demo with CXAUTH_SIGNING_ALG=${alg}`, {
        dataDir: path.join(work, `alg-${alg}`),
        logFile: path.join(work, `cxauth-${alg}.log`),
        env: { CXAUTH_SIGNING_ALG: alg },
      });
    }
  }
  const spec = { tenants: opts.growTenants, sessions: opts.growSessions };
  const grown = async (key, dialect) => {
    const target = t[key];
    if (!target) return;
    const where =
      dialect === 'sqlite'
        ? { dialect, file: path.join(target.dataDir, 'cxauth.db') }
        : { dialect, url: target.databaseUrl };
    try {
      const seconds = await grow(where, { ...spec, now: Date.now(), tag: 'grow' });
      target.where = where;
      target.seeded = { ...spec, seconds };
      log(`${key}: seeded ${spec.tenants} tenants and ${spec.sessions} sessions in ${seconds.toFixed(1)} s`);
    } catch (err) {
      t.why[key] = `seeding failed: ${err.message}`;
      delete t[key];
    }
  };
  if (opts.groups.includes('grow')) {
    await start('grown', 'cxauth serve --demo (SQLite, to be grown)', {
      dataDir: path.join(work, 'grown'),
      logFile: path.join(work, 'cxauth-grown.log'),
    });
    await grown('grown', 'sqlite');
  }
  if (opts.groups.includes('grow-postgres')) {
    try {
      const db = await createDatabase();
      onCleanup(db.drop);
      await start('pgGrown', 'cxauth serve --demo (PostgreSQL, to be grown)', {
        dataDir: path.join(work, 'pg-grown'),
        databaseUrl: db.url,
        kek: randomBytes(32).toString('base64'),
        logFile: path.join(work, 'cxauth-pg-grown.log'),
      });
      await grown('pgGrown', 'postgres');
    } catch (err) {
      t.why.pgGrown = err.message.split('\n')[0];
    }
  }
}

function needsOf(t) {
  return (key, id, label, make) =>
    t[key] ? make(id, label) : { id, label, skipped: t.why?.[key] ?? `${key} not started` };
}

/** `--algs`: password (2 signatures) and client_credentials (1) per algorithm, per core of server CPU. */
export function algGroup(t) {
  const needs = needsOf(t);
  const measurements = ALGS.flatMap((alg) => [
    needs(`alg${alg}`, `${alg}-password`, `${alg} password grant (2 signatures)`, (id, label) =>
      passwordGrant(id, label, t[`alg${alg}`]),
    ),
    needs(`alg${alg}`, `${alg}-cc`, `${alg} client_credentials (1 signature)`, (id, label) =>
      clientCredentials(id, label, t[`alg${alg}`]),
    ),
  ]);
  const comparisons = ALGS.flatMap((alg) =>
    [
      ['password', 'password grant'],
      ['cc', 'client_credentials'],
    ].map(([kind, what]) => ({
      subject: `${alg}-${kind}`,
      baselineValue: PER_CORE_TARGET,
      perCore: true,
      target: 1,
      label: `${alg} ${what}: responses/s per core of server CPU / ${PER_CORE_TARGET.toLocaleString('en-US')}`,
    })),
  );
  return { title: 'Faster signing algorithms (opt-in CXAUTH_SIGNING_ALG)', measurements, comparisons };
}

/**
 * The purge of `target`'s grown database, as a measurement: each round seeds `sessions` expired sessions
 * (outside the timed part) and times their purge; the figure is sessions purged per second.
 */
function purgeMeasurement(id, label, target, sessions) {
  return {
    id,
    label,
    unit: 'sessions/s',
    noWarmup: true,
    run: async () => {
      const owners = { tag: 'grow', count: target.seeded.tenants };
      const r = await measurePurge(target.where, { sessions, owners, now: Date.now() });
      return { rps: r.sessions / r.seconds, rowsPerSecond: r.rowsPerSecond };
    },
  };
}

/** `--grow`: grants on the grown database against the empty one (`emptyKey`), and the purge. */
export function growGroup(t, { grownKey, emptyKey, db, purgeSessions }) {
  const needs = needsOf(t);
  const seeded = t[grownKey]?.seeded;
  const size = seeded
    ? `${seeded.sessions.toLocaleString('en-US')} sessions, ${seeded.tenants.toLocaleString('en-US')} tenants`
    : 'grown';
  const measurements = [
    needs(emptyKey, 'password-empty', `password grant, ${db}, empty database`, (id, label) =>
      passwordGrant(id, label, t[emptyKey]),
    ),
    needs(grownKey, 'password-grown', `password grant, ${db}, ${size}`, (id, label) =>
      passwordGrant(id, label, t[grownKey]),
    ),
    needs(emptyKey, 'refresh-empty', `refresh grant, ${db}, empty database`, (id, label) =>
      refreshGrant(id, label, t[emptyKey]),
    ),
    needs(grownKey, 'refresh-grown', `refresh grant, ${db}, ${size}`, (id, label) =>
      refreshGrant(id, label, t[grownKey]),
    ),
    needs(
      grownKey,
      'purge',
      `purge of ${purgeSessions.toLocaleString('en-US')} expired sessions + tokens, ${db}, ${size}`,
      (id, label) => purgeMeasurement(id, label, t[grownKey], purgeSessions),
    ),
  ];
  const comparisons = [
    ...['password', 'refresh'].map((g) => ({
      subject: `${g}-grown`,
      baseline: `${g}-empty`,
      target: 0.9,
      label: `${db} ${g} grant, ${size} / empty`,
    })),
    {
      subject: 'purge',
      baselineValue: 2000,
      target: 1,
      label: `${db} purge (sessions/s) / 2,000 new sessions/s`,
    },
  ];
  return { title: `Flat growth (${db}): ${size} against an empty database`, measurements, comparisons };
}
