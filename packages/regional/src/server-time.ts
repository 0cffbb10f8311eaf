// The reference's ServerTime format: UTC ISO 8601 with seven fractional digits (100 ns ticks), from a
// monotonic high-resolution clock anchored to the wall clock.

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
/** Re-anchor to the wall clock this often (ns) so NTP adjustments are followed. */
const REANCHOR_NS = 10_000_000_000n;

let anchorWallNs = 0n;
let anchorHrNs = 0n;

function anchor(): void {
  // timeOrigin and now() are milliseconds with microsecond-or-better resolution; summing them as
  // BigInts keeps that resolution where one float of ~1.7e12 ms would lose it.
  const originNs = BigInt(Math.round(performance.timeOrigin * 1000)) * 1000n;
  anchorWallNs = originNs + BigInt(Math.round(performance.now() * 1_000_000));
  anchorHrNs = process.hrtime.bigint();
}

/** Nanoseconds since the epoch, with sub-millisecond resolution. */
export function preciseNowNs(): bigint {
  const hr = process.hrtime.bigint();
  if (anchorHrNs === 0n || hr - anchorHrNs > REANCHOR_NS) {
    anchor();
    return anchorWallNs;
  }
  return anchorWallNs + (hr - anchorHrNs);
}

/** Nanoseconds since the epoch from a millisecond clock (tests inject one). */
export function msToNs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * NS_PER_MS + BigInt(Math.round((ms - Math.floor(ms)) * 1_000_000));
}

/** The last second formatted, and its `YYYY-MM-DDTHH:MM:SS` text: most calls fall in the same second. */
let lastSecond = -1n;
let lastSecondText = '';

/**
 * Formats an instant as `2021-07-21T13:38:15.3560573Z`: seconds from `Date`, then the 100 ns ticks.
 */
export function formatServerTime(ns: bigint): string {
  const second = ns / NS_PER_S;
  if (second !== lastSecond) {
    lastSecondText = new Date(Number(second) * 1000).toISOString().slice(0, 19);
    lastSecond = second;
  }
  const ticks = Number((ns - second * NS_PER_S) / 100n);
  return `${lastSecondText}.${ticks.toString().padStart(7, '0')}Z`;
}
