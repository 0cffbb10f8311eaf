// Command-line options of `npm run bench` (node bench/run.js): run length, selection, profiling.
import { parseArgs } from 'node:util';
import { GROUPS } from './cases.js';

export const USAGE = `Usage: npm run bench -- [options]   (or: node bench/run.js [options] after npx tsc -b)

  --rounds N        rounds per measurement; figures are medians (default 3)
  --duration S      seconds per round (default 5)
  --warmup S        seconds of warm-up per measurement before the rounds (default 1)
  --connections N   concurrent autocannon connections (default 32)
  --only LIST       comma-separated groups: ${GROUPS.join(', ')} (default: all but postgres)
  --postgres        also run the PostgreSQL variant (127.0.0.1:5432, a database it creates and drops)
  --quick           a trial run: 1 round of 2 s, 0.5 s warm-up
  --algs            also measure ES256 and EdDSA signing keys (CXAUTH_SIGNING_ALG): responses/s per core
                    of server CPU (the 'alg' group)
  --grow            also grow a database to --grow-sessions sessions (default 1000000) over --grow-tenants
                    tenants (default 10000), seeded through SQL, and measure grants on it against the empty
                    one and the purge of --grow-purge expired sessions per round (default 100000) (the
                    'grow' group; with --postgres also 'grow-postgres')
  --cpu-prof        write a V8 CPU profile of cxauth serve to bench/results/profiles/ and summarise it
  --cli PATH        the cxauth executable to start (default packages/cli/bin/cxauth.js), e.g. another build
  --compare-cli PATH  also start this other build (e.g. a checkout of main before a change) and measure its
                    password and refresh grants beside ours, round by round (the 'compare' group)
  --no-save         print only; write no results, chart or BENCHMARKS.md
  --timeout S       hard limit for the whole run (default: twice the estimate + 120 s)
  --help`;

/** Parses argv into validated options, with `estimateSeconds` of the run. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      postgres: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'no-save': { type: 'boolean', default: false },
      timeout: { type: 'string' },
      cli: { type: 'string' },
      'compare-cli': { type: 'string' },
      algs: { type: 'boolean', default: false },
      grow: { type: 'boolean', default: false },
      'grow-sessions': { type: 'string' },
      'grow-tenants': { type: 'string' },
      'grow-purge': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const num = (name, fallback, min, max) => {
    if (values[name] === undefined) return fallback;
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const groups = values.only
    ? values.only
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean)
    : GROUPS.filter(
        (g) =>
          (g !== 'postgres' || values.postgres) &&
          (g !== 'compare' || values['compare-cli']) &&
          (g !== 'alg' || values.algs) &&
          (g !== 'grow' || values.grow) &&
          (g !== 'grow-postgres' || (values.grow && values.postgres)),
      );
  if (values.postgres && !groups.includes('postgres')) groups.push('postgres');
  if (values.algs && !groups.includes('alg')) groups.push('alg');
  if (values.grow && !groups.includes('grow')) groups.push('grow');
  if (values.grow && values.postgres && !groups.includes('grow-postgres')) groups.push('grow-postgres');
  // The grown databases are compared with the empty ones of these groups.
  if (groups.includes('grow') && !groups.includes('token')) groups.push('token');
  if (groups.includes('grow-postgres') && !groups.includes('postgres')) groups.push('postgres');
  if (groups.includes('compare') && !values['compare-cli'])
    throw new Error('the compare group needs --compare-cli PATH');
  for (const g of groups)
    if (!GROUPS.includes(g)) throw new Error(`--only: unknown group "${g}"; one of ${GROUPS.join(', ')}`);
  const opts = {
    help: values.help,
    rounds: Math.round(num('rounds', values.quick ? 1 : 3, 1, 50)),
    duration: num('duration', values.quick ? 2 : 5, 1, 120),
    warmup: num('warmup', values.quick ? 0.5 : 1, 0, 60),
    connections: Math.round(num('connections', 32, 1, 1000)),
    groups: GROUPS.filter((g) => groups.includes(g)),
    partial: Boolean(values.only),
    cpuProf: values['cpu-prof'],
    save: !values['no-save'],
    quick: values.quick,
    cli: values.cli,
    compareCli: values['compare-cli'],
    growSessions: Math.round(num('grow-sessions', 1_000_000, 1, 100_000_000)),
    growTenants: Math.round(num('grow-tenants', 10_000, 1, 10_000_000)),
    growPurge: Math.round(num('grow-purge', 100_000, 1000, 10_000_000)),
  };
  // Measurements per group (ceiling included), each warmed up once and then run every round.
  const perGroup = {
    token: 7,
    api: 6,
    discovery: 4,
    peer: 4,
    postgres: 3,
    compare: 4,
    alg: 4,
    grow: 5,
    'grow-postgres': 5,
    scim: 1,
    // One import a round, and six short runs of first sign-ins that do not last --duration.
    import: 2,
    webhooks: 2,
    federation: 1,
  };
  const count = opts.groups.reduce((sum, g) => sum + perGroup[g], 0);
  // Seeding a grown database takes ~35 s per million sessions on SQLite here, more on PostgreSQL, and
  // each purge round seeds its expired sessions too.
  const grown = ['grow', 'grow-postgres'].filter((g) => opts.groups.includes(g)).length;
  const seeding = grown * ((opts.growSessions / 1e6) * 90 + opts.rounds * (opts.growPurge / 1e5) * 20);
  // Each group also starts its own servers and mints its inputs: about 10 s.
  const startUps = 10 * opts.groups.length;
  opts.estimateSeconds = Math.round(
    count * (opts.rounds * opts.duration + opts.warmup + 1) + 20 + startUps + seeding,
  );
  opts.timeout = num('timeout', opts.estimateSeconds * 2 + 120, 10, 24 * 3600);
  opts.summary = `${opts.rounds} round(s) × ${opts.duration} s per measurement, ${opts.warmup} s warm-up, ${opts.connections} connections`;
  return opts;
}
