// Strict HTTP on a real socket: stalled headers and bodies get 408 within their timeouts, repeated
// Authorization/Content-Type headers get 400, a content coding gets 415, Node's own refusals come in our
// JSON shape, and every answer says nosniff (docs/operations.md, "HTTP timeouts").
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, requestText } from '../../../test/support/raw-http.js';
import { basic, FORM, form } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;
/** Node checks its timers every HEADERS_TIMEOUT_MS / 4 here; the rest is a slow shared machine. */
const SLACK_MS = 600;

let svc: TestService;
let port: number;
let grantBody: string;
let clientAuth: string;
let accessToken: string;

beforeAll(async () => {
  svc = await startTestService({
    env: {
      CXAUTH_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      CXAUTH_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    },
  });
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  port = (svc.app.server.address() as AddressInfo).port;
  const f = svc.fixture;
  grantBody = form({ grant_type: 'password', username: f.accessKeyId, password: f.accessKeySecret });
  clientAuth = basic(f.clientId, f.clientSecret);
  const res = await fetch(`http://127.0.0.1:${port}/auth/token`, {
    method: 'POST',
    headers: { authorization: clientAuth, 'content-type': FORM },
    body: grantBody,
  });
  expect(res.status).toBe(200);
  accessToken = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => svc?.close());

const token = (lines: readonly string[], body = grantBody) =>
  rawExchange(
    port,
    requestText(
      'POST',
      '/auth/token',
      [...lines, `Content-Length: ${body.length}`, 'Connection: close'],
      body,
    ),
  );

function expectError(
  answer: { status: number; headers: Record<string, string>; body: string },
  status: number,
) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(JSON.parse(answer.body)).toEqual({
    error: 'invalid_request',
    error_description: expect.any(String),
  });
}

describe('timeouts', () => {
  it('answers headers that stall with 408 in our shape and closes the socket, on time', async () => {
    const answer = await rawExchange(port, 'POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expectError(answer, 408);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(answer.ms).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('answers a body that stalls after its headers with 408 within the request timeout', async () => {
    const head = requestText('POST', '/auth/token', [
      `Authorization: ${clientAuth}`,
      `Content-Type: ${FORM}`,
      `Content-Length: ${grantBody.length}`,
    ]);
    const answer = await rawExchange(port, head + grantBody.slice(0, 10));
    expectError(answer, 408);
    expect(answer.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(answer.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it('serves a complete request on time, with nosniff', async () => {
    const answer = await token([`Authorization: ${clientAuth}`, `Content-Type: ${FORM}`]);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe("Node's own refusals, in our shape", () => {
  it('a body cut short (the client half-closes) is 400', async () => {
    const head = requestText('POST', '/auth/token', [
      `Authorization: ${clientAuth}`,
      `Content-Type: ${FORM}`,
      `Content-Length: ${grantBody.length}`,
    ]);
    expectError(await rawExchange(port, head + grantBody.slice(0, 10), { end: true }), 400);
  });

  it('headers over the size limit are 431', async () => {
    const answer = await rawExchange(port, requestText('GET', '/healthz', [`X-Pad: ${'a'.repeat(20_000)}`]));
    expectError(answer, 431);
  });

  it('a malformed request line is 400', async () => {
    expectError(await rawExchange(port, 'GET /healthz HTTP/9.9 nonsense\r\n\r\n'), 400);
  });
});

describe('repeated headers', () => {
  it('refuses two Authorization headers (a good one, then a bad one) at the token endpoint', async () => {
    const answer = await token([
      `Authorization: ${clientAuth}`,
      'authorization: Basic bm9ib2R5Om5vdGhpbmc=',
      `Content-Type: ${FORM}`,
    ]);
    expectError(answer, 400);
    expect(JSON.parse(answer.body).error_description).toMatch(/one Authorization header/);
  });

  it('refuses two Content-Type headers at the token endpoint', async () => {
    const answer = await token([
      `Authorization: ${clientAuth}`,
      `Content-Type: ${FORM}`,
      'Content-Type: text/plain',
    ]);
    expectError(answer, 400);
    expect(JSON.parse(answer.body).error_description).toMatch(/one Content-Type header/);
  });

  it('refuses two Authorization headers at userinfo', async () => {
    const lines = [`Authorization: Bearer ${accessToken}`, 'Authorization: Bearer bad', 'Connection: close'];
    expectError(await rawExchange(port, requestText('GET', '/auth/userinfo', lines)), 400);
    // One good header is still served.
    const one = await rawExchange(
      port,
      requestText('GET', '/auth/userinfo', [lines[0] as string, lines[2] as string]),
    );
    expect(one.status).toBe(200);
  });
});

describe('content coding', () => {
  it('refuses Content-Encoding: gzip on the token endpoint with 415 before reading the body', async () => {
    const answer = await token([
      `Authorization: ${clientAuth}`,
      `Content-Type: ${FORM}`,
      'Content-Encoding: gzip',
    ]);
    expectError(answer, 415);
    expect(answer.headers['accept-encoding']).toBe('identity');
  });

  it('accepts Content-Encoding: identity', async () => {
    const answer = await token([
      `Authorization: ${clientAuth}`,
      `Content-Type: ${FORM}`,
      'Content-Encoding: identity',
    ]);
    expect(answer.status).toBe(200);
  });
});

describe('nosniff', () => {
  it.each(['/auth/jwks', '/.well-known/openid-configuration', '/healthz', '/nowhere', '/auth/%zz'])(
    'is on %s',
    async (path) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    },
  );
});
