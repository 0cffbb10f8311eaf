// Preloaded into `cxauth serve` by bench/capacity.js (node --require): counts the statements the pg
// driver sends, by SQL text, and writes the counts to $CXAUTH_BENCH_PG_COUNTS (then clears them) on SIGUSR2.
const { writeFileSync } = require('node:fs');
const pg = require('pg');

const counts = new Map();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text) counts.set(text, (counts.get(text) ?? 0) + 1);
  return query.call(this, config, ...rest);
};
process.on('SIGUSR2', () => {
  writeFileSync(process.env.CXAUTH_BENCH_PG_COUNTS, JSON.stringify(Object.fromEntries(counts)));
  counts.clear();
});
