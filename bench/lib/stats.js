// Order statistics over rounds: every figure the harness reports is a median of several rounds.

/** Median of finite numbers (mean of the middle two for an even count); undefined for none. */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Largest finite value; undefined for none. */
export function max(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length ? Math.max(...finite) : undefined;
}

/** Collapses per-round results of one measurement into its reported figures. */
export function summarize(rounds) {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    peakRssKiB: max(rounds.map((r) => r.peakRssKiB)),
    cpuUs: median(rounds.map((r) => r.cpuUs)),
    mainCpuUs: median(rounds.map((r) => r.mainCpuUs)),
    failures: rounds.reduce((sum, r) => sum + (r.failures ?? 0), 0),
    rounds: rounds.map((r) => r.rps),
  };
}
