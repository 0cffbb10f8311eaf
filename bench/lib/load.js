// The load generator: one bounded autocannon run against 127.0.0.1, reduced to the figures the report uses.
import autocannon from 'autocannon';

/**
 * Runs autocannon for `duration` seconds (or for `amount` requests) and returns successful responses per second (2xx only, or
 * only the status `success` when given, e.g. 302 for a redirect), latency p50/p99 (ms) and the count
 * of failed requests (other statuses, socket errors, timeouts).
 * `request` is an autocannon request ({ method, path, headers, body, setupRequest, onResponse }).
 */
export function load({ url, request, duration, connections, success, amount }) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url))
    throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration,
        // A fixed number of requests instead (autocannon's `amount`), for a pool of single-use inputs.
        ...(amount === undefined ? {} : { amount }),
        timeout: 10,
        requests: [request],
      },
      (err, result) => {
        if (err) return reject(err);
        const ok = success === undefined ? result['2xx'] : (result.statusCodeStats?.[success]?.count ?? 0);
        const sent = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
        resolve({
          ok,
          rps: ok / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          failures: success === undefined ? result.non2xx + result.errors : sent - ok + result.errors,
          statusCodes: result.statusCodeStats,
        });
      },
    );
  });
}
