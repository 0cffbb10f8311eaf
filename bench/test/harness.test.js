// Tests of the harness's pure parts: statistics, rounds and ratios, options, chart, report, profile summary.
// Run by `npm test` (vitest); node:assert keeps the assertions plain.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { barChart } from '../lib/chart.js';
import { parseOptions } from '../lib/options.js';
import { summarizeProfile } from '../lib/profile.js';
import { comparisonRows, measurementRows } from '../lib/report.js';
import { runGroup } from '../lib/runner.js';
import { median, summarize } from '../lib/stats.js';

test('median of odd and even counts ignores non-finite values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([Number.NaN, undefined, 5]), 5);
  assert.equal(median([]), undefined);
});

test('summarize takes medians of rates and latencies, the largest RSS and the sum of failures', () => {
  const s = summarize([
    { rps: 10, p50: 1, p99: 9, peakRssKiB: 100, failures: 1 },
    { rps: 30, p50: 3, p99: 7, peakRssKiB: 300, failures: 0 },
    { rps: 20, p50: 2, p99: 8, peakRssKiB: 200, failures: 2 },
  ]);
  assert.deepEqual([s.rps, s.p50, s.p99, s.peakRssKiB, s.failures], [20, 2, 8, 300, 3]);
});

function fake(id, values, order) {
  let i = 0;
  return {
    id,
    label: id,
    unit: 'responses/s',
    run: async () => {
      order.push(id);
      return { rps: values[i++], cpuUs: 10 };
    },
  };
}

test('runGroup interleaves rounds in rotating order and divides by signatures per response', async () => {
  const order = [];
  const group = {
    title: 't',
    measurements: [
      fake('ceiling', [1000, 1200, 1100], order),
      fake('grant', [450, 500, 480], order),
      { id: 'gone', label: 'gone', skipped: 'server did not start' },
    ],
    comparisons: [
      { subject: 'grant', baseline: 'ceiling', divisor: 2, target: 0.85, label: 'grant' },
      { subject: 'gone', baseline: 'ceiling', target: 0.8, label: 'gone' },
    ],
  };
  const r = await runGroup('g', group, { rounds: 3, warmup: 0, duration: 1, connections: 1 }, () => {});
  assert.deepEqual(order, ['ceiling', 'grant', 'grant', 'ceiling', 'ceiling', 'grant']);
  assert.equal(r.measurements.ceiling.rps, 1100);
  assert.equal(r.measurements.grant.rps, 480);
  const [grant, gone] = r.comparisons;
  assert.equal(grant.baselineRps, 550);
  assert.ok(Math.abs(grant.ratio - 480 / 550) < 1e-9);
  assert.equal(grant.met, true);
  assert.equal(grant.cpuRatio, 2);
  assert.equal(gone.ratio, undefined);
  assert.equal(gone.missing, 'gone');
  assert.equal(r.measurements.gone.skipped, 'server did not start');
});

test('report rows show verdicts, skipped cases and sub-millisecond latency', () => {
  const results = {
    groups: {
      g: {
        measurements: {
          a: { label: 'A', unit: 'responses/s', rps: 1234.4, p50: 0, p99: 3, peakRssKiB: 2048, failures: 0 },
          b: { label: 'B', unit: 'responses/s', skipped: 'no server' },
        },
        comparisons: [
          { label: 'met', subjectRps: 90, baselineRps: 100, ratio: 0.9, target: 0.8, met: true },
          { label: 'missed', subjectRps: 50, baselineRps: 100, ratio: 0.5, target: 0.8, met: false },
          { label: 'absent', missing: 'b', target: 0.8 },
        ],
      },
    },
  };
  const m = measurementRows(results);
  assert.deepEqual(m[0].slice(2, 6), ['1,234', 'resp/s', '<1', '3']);
  assert.equal(m[1][2], 'skipped');
  const c = comparisonRows(results);
  assert.deepEqual(
    c.map((r) => r[5]),
    ['met', 'MISSED', 'not measured (b)'],
  );
  assert.equal(c[0][3], '90.0%');
});

test('options: defaults, --quick, --postgres, and unknown groups refused', () => {
  const d = parseOptions([]);
  assert.deepEqual(d.groups, [
    'token',
    'api',
    'discovery',
    'peer',
    'scim',
    'import',
    'webhooks',
    'federation',
  ]);
  assert.equal(d.rounds, 3);
  // 27 measurements × 3 rounds of 5 s, their warm-ups and start-ups: about 9 min (a run with --postgres
  // --algs took 706 s against the 698 s this estimates).
  assert.ok(
    d.estimateSeconds > 480 && d.estimateSeconds < 660,
    `a full run is estimated at ${d.estimateSeconds} s`,
  );
  const q = parseOptions(['--quick', '--postgres']);
  assert.deepEqual([q.rounds, q.duration], [1, 2]);
  assert.ok(q.groups.includes('postgres'));
  assert.throws(() => parseOptions(['--only', 'token,nope']), /unknown group "nope"/);
  assert.throws(() => parseOptions(['--rounds', '0']), /--rounds/);
  const c = parseOptions(['--compare-cli', '/tmp/old/cxauth.js']);
  assert.deepEqual(c.groups, [
    'token',
    'api',
    'discovery',
    'peer',
    'compare',
    'scim',
    'import',
    'webhooks',
    'federation',
  ]);
  assert.equal(c.compareCli, '/tmp/old/cxauth.js');
  assert.throws(() => parseOptions(['--only', 'compare']), /needs --compare-cli/);
});

test('the chart has one bar per measured comparison, coloured by its target', () => {
  const svg = barChart({
    title: 'T <&>',
    subtitle: 's',
    bars: [
      { label: 'met', value: 0.9, target: 0.8 },
      { label: 'missed', value: 0.5, target: 0.8 },
      { label: 'info', value: 0.3 },
      { label: 'absent', target: 0.8 },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /T &#60;&#38;&#62;/);
  assert.equal((svg.match(/<rect /g) ?? []).length, 1 + 3);
  assert.match(svg, /fill="#2e7d32"/);
  assert.match(svg, /fill="#c62828"/);
  assert.match(svg, /not measured/);
});

test('profile summary ranks self time by function and by package', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  const file = path.join(dir, 'p.cpuprofile');
  const frame = (functionName, url) => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' });
  writeFileSync(
    file,
    JSON.stringify({
      startTime: 0,
      endTime: 4000,
      samples: [1, 2, 2, 3],
      nodes: [
        { id: 1, callFrame: frame('(idle)', ''), hitCount: 1 },
        { id: 2, callFrame: frame('executeQuery', 'file:///x/node_modules/kysely/dist/a.js'), hitCount: 2 },
        { id: 3, callFrame: frame('sign', 'file:///x/packages/server/dist/tokens/sign.js'), hitCount: 1 },
      ],
    }),
  );
  const s = summarizeProfile(file);
  assert.equal(s.functions[0].name, 'executeQuery /x/node_modules/kysely/dist/a.js:1');
  assert.equal(s.functions[0].percent, 50);
  assert.deepEqual(
    s.packages.map((p) => p.name),
    ['kysely', '(idle)', '@cxauth/server'],
  );
});

test('--grow and --algs add their groups and the groups they compare with', () => {
  const grow = parseOptions(['--grow', '--postgres', '--grow-sessions', '5000', '--only', 'grow']);
  assert.deepEqual(grow.groups, ['token', 'postgres', 'grow', 'grow-postgres']);
  assert.equal(grow.growSessions, 5000);
  assert.equal(grow.growTenants, 10_000);
  assert.ok(parseOptions(['--algs']).groups.includes('alg'));
  assert.ok(!parseOptions([]).groups.some((g) => g.startsWith('grow') || g === 'alg'));
});

test('a per-core comparison divides a million by the CPU µs per response; a fixed baseline stands alone', async () => {
  const group = {
    title: 't',
    measurements: [{ id: 'a', label: 'a', run: async () => ({ rps: 500, cpuUs: 125 }) }],
    comparisons: [
      { subject: 'a', baselineValue: 10_000, perCore: true, target: 1, label: 'per core' },
      { subject: 'a', baselineValue: 1000, target: 1, label: 'fixed' },
    ],
  };
  const out = await runGroup('t', group, { rounds: 1, warmup: 0 }, () => {});
  assert.equal(out.comparisons[0].subjectRps, 8000);
  assert.equal(out.comparisons[0].ratio, 0.8);
  assert.equal(out.comparisons[0].met, false);
  assert.equal(out.comparisons[1].ratio, 0.5);
});
