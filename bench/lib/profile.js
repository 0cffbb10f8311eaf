// Reads a V8 .cpuprofile and ranks where the time went: by function (self time) and by file.
import { readFileSync } from 'node:fs';

/** V8's own entries are already parenthesised: (idle), (garbage collector), (program). */
function native(functionName) {
  return functionName?.startsWith('(') ? functionName : `(${functionName || 'native'})`;
}

/** The dependency or workspace package a frame belongs to: where a fix would go. */
function packageOf(url, functionName) {
  if (!url) return native(functionName);
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  const own = /\/packages\/([^/]+)\//.exec(url);
  if (own) return `@cxauth/${own[1]}`;
  return url.startsWith('node:') ? 'node core' : url;
}

/** Self time per function, per file and per package, in ms and % of all samples, the largest first. */
export function summarizeProfile(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const interval = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const byFunction = new Map();
  const byFile = new Map();
  const byPackage = new Map();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '')}:${lineNumber + 1}` : '(native)';
    const fn = `${functionName || '(anonymous)'} ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    const f = url ? url.replace(/^file:\/\//, '') : native(functionName);
    byFile.set(f, (byFile.get(f) ?? 0) + hits);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({ name, ms: Math.round(hits * interval), percent: (hits / total) * 100 }));
  return {
    totalMs: Math.round(total * interval),
    functions: rank(byFunction),
    files: rank(byFile),
    packages: rank(byPackage),
  };
}

/** The summary as text for stdout. */
export function profileText(file, summary) {
  const row = (r) => `${r.percent.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.name}`;
  return [
    `CPU profile ${file} (${summary.totalMs} ms sampled) — self time by function:`,
    ...summary.functions.map(row),
    'by package:',
    ...summary.packages.map(row),
    'by file:',
    ...summary.files.map(row),
  ].join('\n');
}
