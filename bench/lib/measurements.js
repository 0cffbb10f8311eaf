// The kinds of measurement: the signing ceiling, and HTTP cases (token grants, GETs) with the server's peak RSS.
import { measureSigningCeiling } from './baselines.js';
import { passwordForm, tokenHeaders, tokenRequest } from './cxauth.js';
import { load } from './load.js';
import { cpuTimeMs, peakRssKiB, resetPeakRss } from './processes.js';

export function ceiling() {
  return {
    id: 'ceiling',
    label: 'RS256 signing ceiling (raw async crypto.sign)',
    unit: 'signatures/s',
    run: ({ duration }) => measureSigningCeiling(duration),
  };
}

/**
 * An HTTP measurement against a server process whose peak RSS and CPU time per response are recorded
 * (CPU time: every thread of the process, so the libuv pool's signing counts too); `check` proves one response,
 * or, given `expect` instead, the same request is sent once and its JSON body must pass `expect`.
 */
export function http({ id, label, server, request, check, expect, success }) {
  const { method, path, headers, body } = request;
  return {
    id,
    label,
    unit: 'responses/s',
    check: check ?? (() => expectOk(`${server.url}${path}`, { method, headers, body }, expect)),
    run: async ({ duration, connections, amount }) => {
      resetPeakRss(server.pid);
      const cpuBefore = cpuTimeMs(server.pid);
      const mainBefore = cpuTimeMs(server.pid, server.pid);
      const result = await load({ url: server.url, request, duration, connections, success, amount });
      const perResponse = (ms) => (ms * 1000) / Math.max(1, result.ok);
      return {
        ...result,
        peakRssKiB: peakRssKiB(server.pid),
        cpuUs: perResponse(cpuTimeMs(server.pid) - cpuBefore),
        // The event loop's share; the rest is the libuv pool (signing) and V8's helper threads.
        mainCpuUs: perResponse(cpuTimeMs(server.pid, server.pid) - mainBefore),
      };
    },
  };
}

async function expectOk(url, init, test) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = await res.json().catch(() => undefined);
  if (!res.ok || !test(body))
    throw new Error(`${url} answered HTTP ${res.status} ${JSON.stringify(body)?.slice(0, 200)}`);
}

export function cxauthTarget(cx) {
  return { pid: cx.pid, url: cx.issuer };
}

/** A measurement of cxauth's token endpoint, called by the demo application; `request` adds the body. */
function tokenEndpoint(id, label, cx, request, check) {
  return http({
    id,
    label,
    server: cxauthTarget(cx),
    request: { method: 'POST', path: '/auth/token', headers: tokenHeaders(cx.creds), ...request },
    check,
  });
}

/** Password grant with the demo access key; default scope (openid: 2 signatures) unless `scope` is given. */
export function passwordGrant(id, label, cx, scope) {
  const body = passwordForm(cx.creds, scope);
  return tokenEndpoint(id, label, cx, { body }, async () => {
    const res = await tokenRequest(cx.issuer, cx.creds, body);
    if (!res.access_token || Boolean(res.id_token) !== (scope === undefined)) {
      throw new Error(`unexpected token response for scope ${scope ?? '(default)'}: ${Object.keys(res)}`);
    }
  });
}

/**
 * Refresh grant. Refresh tokens are single-use, so each request takes one from a pool pre-minted by password
 * grants, and each response's rotated token goes back into the pool: no token is ever presented twice.
 * A run ends with requests in flight (and built but unsent) whose tokens are lost, so the pool is topped up
 * before every run, outside the measured time.
 */
export function refreshGrant(id, label, cx) {
  const pool = [];
  const fill = async (connections) => {
    const wanted = connections * 4 + 16;
    while (pool.length < wanted) {
      const batch = Array.from({ length: Math.min(8, wanted - pool.length) }, () =>
        tokenRequest(cx.issuer, cx.creds, passwordForm(cx.creds)),
      );
      for (const res of await Promise.all(batch)) pool.push(res.refresh_token);
    }
  };
  const measurement = tokenEndpoint(id, label, cx, {
    setupRequest: (req) => {
      // An empty pool (only after failed responses) sends a token the server must refuse: counted as failures.
      const token = pool.pop() ?? 'pool-exhausted';
      return { ...req, body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}` };
    },
    onResponse: (status, body) => {
      if (status === 200) pool.push(JSON.parse(body).refresh_token);
    },
  });
  return {
    ...measurement,
    run: async (opts) => {
      await fill(opts.connections);
      return measurement.run(opts);
    },
    check: async ({ connections }) => {
      await fill(connections);
      const first = await tokenRequest(
        cx.issuer,
        cx.creds,
        `grant_type=refresh_token&refresh_token=${encodeURIComponent(pool.pop())}`,
      );
      if (!first.refresh_token || !first.id_token)
        throw new Error('refresh response lacks refresh_token or id_token');
      pool.push(first.refresh_token);
    },
  };
}

export function jsonGet(id, label, server, path, test) {
  return http({
    id,
    label,
    server,
    request: { method: 'GET', path },
    expect: test,
  });
}
