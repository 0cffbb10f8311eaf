// Turns a run's results into the stdout tables, the Markdown section of BENCHMARKS.md and the chart's bars.

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
// autocannon's latency histogram has 1 ms resolution: 0 means under a millisecond.
const ms = (n) => (Number.isFinite(n) ? (n === 0 ? '<1' : String(n)) : '–');
const mib = (kib) => (Number.isFinite(kib) ? (kib / 1024).toFixed(0) : '–');
const pct = (r) => (Number.isFinite(r) ? `${(r * 100).toFixed(0)}%` : 'n/a');
// One decimal on the ratio a verdict rests on, so 84.6% is not shown as a missed "85%".
const ratio = (r) => (Number.isFinite(r) ? `${(r * 100).toFixed(1)}%` : 'n/a');

/** Rows of the measurement table: one per measurement of every group. */
export function measurementRows(results) {
  const rows = [];
  for (const [group, g] of Object.entries(results.groups)) {
    for (const [id, m] of Object.entries(g.measurements)) {
      rows.push([
        group,
        m.label,
        m.skipped ? 'skipped' : int(m.rps),
        m.unit === 'signatures/s' ? 'sig/s' : m.unit === 'responses/s' ? 'resp/s' : m.unit,
        ms(m.p50),
        ms(m.p99),
        Number.isFinite(m.cpuUs) ? Math.round(m.cpuUs) : '–',
        Number.isFinite(m.mainCpuUs) ? Math.round(m.mainCpuUs) : '–',
        mib(m.peakRssKiB),
        m.skipped ? m.skipped.slice(0, 120) : m.failures ? `${m.failures} failed requests` : '',
      ]);
      rows[rows.length - 1].id = id;
    }
  }
  return rows;
}

/** Rows of the comparison table: the ratios the targets are about. */
export function comparisonRows(results) {
  const rows = [];
  for (const g of Object.values(results.groups)) {
    for (const c of g.comparisons) {
      const verdict = c.missing
        ? `not measured (${c.missing})`
        : c.met === undefined
          ? ''
          : c.met
            ? 'met'
            : 'MISSED';
      rows.push([
        c.label,
        int(c.subjectRps),
        int(c.baselineRps),
        ratio(c.ratio),
        c.target ? `≥ ${pct(c.target)}` : '–',
        verdict,
        pct(c.cpuRatio),
      ]);
    }
  }
  return rows;
}

const MEASUREMENT_HEAD = [
  'group',
  'measurement',
  'median',
  'unit',
  'p50 ms',
  'p99 ms',
  'CPU µs each',
  'event loop µs',
  'peak RSS MiB',
  'notes',
];
const COMPARISON_HEAD = ['comparison', 'ours /s', 'baseline /s', 'ratio', 'target', 'verdict', 'CPU ratio'];

function textTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(head, rows, numeric) {
  const cell = (c) => String(c).replace(/\|/g, '\\|');
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (numeric.includes(i) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The plain-text report printed to stdout. */
export function textReport(results) {
  return [
    `cxauth benchmarks — ${results.machine.summary}`,
    `${results.settings.summary}`,
    '',
    textTable(COMPARISON_HEAD, comparisonRows(results)),
    '',
    textTable(MEASUREMENT_HEAD, measurementRows(results)),
  ].join('\n');
}

/** The generated part of BENCHMARKS.md. */
export function markdownReport(results, { chartPath, jsonPath }) {
  const busy = results.machine.busy
    ? `**Taken on a busy machine** (1-minute load average ${results.machine.loadBefore} on ${results.machine.cores} cores when it started): other work shared the CPU, so absolute figures are low and ratios noisy; re-run on a quiet machine.`
    : `Load average ${results.machine.loadBefore} before, ${results.machine.loadAfter} after the run (${results.machine.cores} cores).`;
  return [
    `Run of ${results.finishedAt} — \`${results.command}\`, ${results.settings.summary}.`,
    '',
    `Machine: ${results.machine.summary}.`,
    '',
    busy,
    '',
    `![ratios against their baselines](${chartPath})`,
    '',
    markdownTable(COMPARISON_HEAD, comparisonRows(results), [1, 2, 3, 6]),
    '',
    markdownTable(MEASUREMENT_HEAD, measurementRows(results), [2, 4, 5, 6, 7, 8]),
    '',
    `Raw results: [\`${jsonPath}\`](${jsonPath}).`,
  ].join('\n');
}

/** The chart's bars: every comparison, labelled by its group. */
export function chartBars(results) {
  return Object.values(results.groups).flatMap((g) =>
    g.comparisons.map((c) => ({ label: c.label, value: c.ratio, target: c.target })),
  );
}
