// The load generator: one bounded autocannon run against 127.0.0.1, reduced to the figures the report uses.
import autocannon from 'autocannon';

/**
 * Runs autocannon for `duration` seconds and returns successful responses per second (2xx only), latency
 * p50/p99 (ms) and the count of failed requests (non-2xx, socket errors, timeouts).
 * `request` is an autocannon request ({ method, path, headers, body, setupRequest, onResponse }).
 */
export function load({ url, request, duration, connections }) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url))
    throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration,
        timeout: 10,
        requests: [request],
      },
      (err, result) => {
        if (err) return reject(err);
        const ok = result['2xx'];
        resolve({
          ok,
          rps: ok / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          failures: result.non2xx + result.errors,
          statusCodes: result.statusCodeStats,
        });
      },
    );
  });
}
