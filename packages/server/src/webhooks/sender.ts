// One HTTP attempt of a delivery: a POST to the checked address (the URL's host as `Host` and as the
// TLS server name), bounded by a timeout covering connect, send and answer; redirects are not followed
// and the answer's body is read no further than a few KiB and never kept.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ResolvedTarget } from './targets.js';

export interface SendResult {
  /** The receiver's status, or null when none came. */
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  /** The attempt was cut short by `signal` (the node is stopping): it is not an attempt. */
  readonly aborted: boolean;
}

const MAX_ANSWER_BYTES = 4096;

export function send(
  target: ResolvedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SendResult> {
  const started = performance.now();
  const { url } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null, aborted = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve({ status, error, aborted, latencyMs: performance.now() - started });
    };
    const request = client.request({
      method: 'POST',
      host: target.address,
      family: target.family,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      // SNI names a host, never an address (RFC 6066 §3).
      ...(net.isIP(url.hostname.replace(/^\[|\]$/g, '')) ? {} : { servername: url.hostname }),
      headers: {
        ...headers,
        host: url.host,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'cxauth-webhooks',
      },
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish(null, `no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    const onAbort = () => {
      request.destroy();
      finish(null, 'stopped', true);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err: NodeJS.ErrnoException) => finish(null, err.code ?? 'connection failed'));
    request.on('response', (response) => {
      let read = 0;
      const status = response.statusCode ?? 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) {
          response.destroy();
          finish(status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
        }
      });
      response.on('end', () => finish(status, status >= 200 && status < 300 ? null : `HTTP ${status}`));
      response.on('error', () => finish(status, `HTTP ${status}`));
    });
    request.end(body);
  });
}
