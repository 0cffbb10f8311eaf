// Runs one group: checks each measurement once, warms up, then interleaves the rounds and takes medians.
import { summarize } from './stats.js';

const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/**
 * Measures every available measurement of `group` for `opts.rounds` rounds of `opts.duration` seconds, in
 * rotating order so drift on a busy machine falls on every measurement alike, and computes its comparisons.
 */
export async function runGroup(name, group, opts, log) {
  const measurements = {};
  const usable = [];
  for (const m of group.measurements) {
    measurements[m.id] = { label: m.label, unit: m.unit ?? 'responses/s' };
    if (m.skipped) {
      measurements[m.id].skipped = m.skipped;
      log(`[${name}] ${m.id} skipped: ${m.skipped}`);
      continue;
    }
    try {
      await m.check?.(opts);
      usable.push(m);
    } catch (err) {
      measurements[m.id].skipped = err.message;
      log(`[${name}] ${m.id} skipped: ${err.message}`);
    }
  }
  if (opts.warmup > 0) {
    for (const m of usable) {
      if (m.id !== 'ceiling' && !m.noWarmup) await m.run({ ...opts, duration: opts.warmup });
    }
  }
  const rounds = Object.fromEntries(usable.map((m) => [m.id, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (let i = 0; i < usable.length; i++) {
      const m = usable[(i + r) % usable.length];
      const result = await m.run(opts);
      rounds[m.id].push(result);
      const failures = result.failures ? `, ${result.failures} failed` : '';
      const latency = result.p50 === undefined ? '' : `, p50 ${result.p50} ms, p99 ${result.p99} ms`;
      log(
        `[${name}] round ${r + 1}/${opts.rounds} ${m.id}: ${fmt(result.rps)} ${m.unit}${latency}${failures}`,
      );
    }
  }
  for (const m of usable) Object.assign(measurements[m.id], summarize(rounds[m.id]));
  return {
    title: group.title,
    measurements,
    comparisons: group.comparisons.map((c) => compare(c, measurements)),
  };
}

function compare(c, measurements) {
  const subject = measurements[c.subject];
  const baseline = measurements[c.baseline];
  const out = {
    label: c.label,
    subject: c.subject,
    baseline: c.baseline,
    divisor: c.divisor ?? 1,
    target: c.target,
  };
  // `perCore`: the subject's responses per second per core of its own CPU time (1e6 / CPU µs each);
  // `baselineValue`: a fixed figure (a target rate) in place of a measured baseline.
  const subjectRate = c.perCore ? 1e6 / subject?.cpuUs : subject?.rps;
  const baselineRate = c.baselineValue ?? baseline?.rps;
  if (!Number.isFinite(subjectRate) || !Number.isFinite(baselineRate)) {
    out.missing = !subject || subject.skipped ? c.subject : c.baseline;
    return out;
  }
  out.subjectRps = subjectRate;
  out.baselineRps = baselineRate / out.divisor;
  out.ratio = out.subjectRps / out.baselineRps;
  // The same comparison in CPU time per response (all threads of the process): less sensitive to other load.
  if (Number.isFinite(subject.cpuUs) && Number.isFinite(baseline?.cpuUs) && subject.cpuUs > 0) {
    out.cpuRatio = (baseline.cpuUs * out.divisor) / subject.cpuUs;
  }
  if (c.target !== undefined) out.met = out.ratio >= c.target;
  return out;
}
