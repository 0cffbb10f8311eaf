// A body over CXAUTH_BODY_LIMIT on a real socket: a client that writes all of it at once, without
// waiting for 100-continue, reads the 413 instead of a reset (EPIPE) under its write; a body announcing
// more than the drain bound is not read at all; one that stalls is cut at the request timeout with no
// second answer (docs/operations.md, "HTTP timeouts").

import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { DRAIN_DEFAULTS } from '@cxauth/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponse } from '../../../test/support/raw-http.js';
import { basic, FORM } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let port: number;
beforeAll(async () => {
  svc = await startTestService();
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  port = (svc.app.server.address() as AddressInfo).port;
});
afterAll(async () => svc?.close());

interface Outcome {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The error of the client's write or read (EPIPE, ECONNRESET), if any. */
  error: string | undefined;
  /** True when the whole body was written: the server read it rather than closing under it. */
  written: boolean;
}

/**
 * Sends the headers, then `size` bytes of body in 16 KiB writes, each after the last was taken, as a
 * client that does not wait for 100-continue does; reads until a whole response has arrived (then
 * closes) or the socket closes.
 */
function sendWhileWriting(size: number, announced = size): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let written = false;
    const limit = setTimeout(() => socket.destroy(), 15_000);
    // Done once the whole body is written and a whole response has arrived.
    const endWhenDone = () => {
      const answer = parseResponse(Buffer.concat(chunks).toString('latin1'));
      const length = Number(answer.headers['content-length']);
      if (written && answer.status !== 0 && Buffer.byteLength(answer.body, 'latin1') >= length) socket.end();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      endWhenDone();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error ??= err.code;
    });
    socket.on('close', () => {
      clearTimeout(limit);
      resolve({ ...parseResponse(Buffer.concat(chunks).toString('latin1')), error, written });
    });
    socket.write(
      'POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Content-Type: ${FORM}\r\nAuthorization: ${basic(svc.fixture.clientId, svc.fixture.clientSecret)}\r\n` +
        `Content-Length: ${announced}\r\n\r\n`,
    );
    const piece = Buffer.alloc(16 * 1024, 'a');
    let sent = 0;
    const next = (err?: Error | null) => {
      if (err || socket.destroyed) return;
      if (sent >= size) {
        written = true;
        endWhenDone();
        return;
      }
      const n = Math.min(piece.length, size - sent);
      sent += n;
      socket.write(piece.subarray(0, n), (e) => setImmediate(next, e));
    };
    next();
  });
}

describe('a body over the limit', () => {
  it('is answered 413 that a client still writing 2 MiB reads, with no reset', async () => {
    const answer = await sendWhileWriting(2 * 1024 * 1024);
    expect(answer.error).toBeUndefined();
    expect(answer.written).toBe(true);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'the request body is too large',
    });
    // The rest of the body was read and discarded, so the connection can carry the next request.
    expect(answer.headers['connection']).not.toBe('close');
  });

  it('is not read past the drain bound: a body announcing more is answered and closed at once', async () => {
    const answer = await sendWhileWriting(64 * 1024, DRAIN_DEFAULTS.maxBytes + 1);
    expect(answer.status).toBe(413);
    expect(answer.headers['connection']).toBe('close');
  });

  it('still serves the next request on the connection after a drained body', async () => {
    const big = Buffer.alloc(512 * 1024, 'a');
    const auth = basic(svc.fixture.clientId, svc.fixture.clientSecret);
    const text = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      const limit = setTimeout(() => socket.destroy(), 15_000);
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        data += chunk;
        if (data.includes('"issuer"')) socket.end();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(limit);
        resolve(data);
      });
      socket.write(
        Buffer.concat([
          Buffer.from(
            `POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\n` +
              `Authorization: ${auth}\r\nContent-Length: ${big.length}\r\n\r\n`,
          ),
          big,
        ]),
      );
      socket.write('GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
    const [first, second] = text.split(/(?=HTTP\/1\.1 )/);
    expect(parseResponse(first ?? '').status).toBe(413);
    expect(parseResponse(second ?? '').status).toBe(200);
  });
});

describe('a drained body that stalls', () => {
  const REQUEST_TIMEOUT_MS = 800;
  let slow: TestService;
  let slowPort: number;
  beforeAll(async () => {
    slow = await startTestService({
      env: { CXAUTH_HEADERS_TIMEOUT_MS: '400', CXAUTH_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    });
    await slow.app.listen({ host: '127.0.0.1', port: 0 });
    slowPort = (slow.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => slow?.close());

  it('is cut at the request timeout with its one 413, never a second answer', async () => {
    const started = Date.now();
    const text = await new Promise<string>((resolve) => {
      const socket = net.connect(slowPort, '127.0.0.1');
      let data = '';
      const limit = setTimeout(() => socket.destroy(), 15_000);
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        data += chunk;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(limit);
        resolve(data);
      });
      // 64 KiB of a 1 MiB body, then nothing more.
      socket.write(
        `POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\nContent-Length: ${1024 * 1024}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(64 * 1024, 'a'));
    });
    expect(parseResponse(text).status).toBe(413);
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    // Closed by the request timeout (checked every quarter of the header timeout), not the drain's 5 s.
    expect(Date.now() - started).toBeLessThan(DRAIN_DEFAULTS.maxMs);
  });
});
