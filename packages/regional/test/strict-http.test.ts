// The regional API on a real socket: repeated Authorization or Content-Type headers get 400, a content
// coding 415, stalled headers 408 in the API's JSON shape, and every answer says nosniff.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, requestText } from '../../../test/support/raw-http.js';
import { accessClaims, type FakeIssuer, mint, startIssuer } from '../../verify/test/support/issuer.js';
import { createRegionalServer, SERVER_TIME_PATH } from '../src/index.js';

let issuer: FakeIssuer;
let app: FastifyInstance;
let port: number;
let token: string;

beforeAll(async () => {
  issuer = await startIssuer();
  app = await createRegionalServer({
    area: 'na1',
    issuer: issuer.url,
    timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(Date.now() / 1000), 'na1'));
});
afterAll(async () => {
  await app?.close();
  await issuer?.close();
});

const serverTime = (lines: readonly string[]) =>
  rawExchange(port, requestText('GET', SERVER_TIME_PATH, [...lines, 'Connection: close']));

function expectError(
  answer: { status: number; headers: Record<string, string>; body: string },
  status: number,
) {
  expect(answer.status).toBe(status);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(JSON.parse(answer.body)).toEqual({
    error: 'invalid_request',
    error_description: expect.any(String),
  });
}

describe('regional API: strict HTTP', () => {
  it('serves one good Authorization header, with nosniff', async () => {
    const answer = await serverTime([`Authorization: Bearer ${token}`]);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a good Authorization header followed by a bad one', async () => {
    expectError(await serverTime([`Authorization: Bearer ${token}`, 'authorization: Bearer forged']), 400);
  });

  it('refuses two Content-Type headers', async () => {
    const lines = [
      `Authorization: Bearer ${token}`,
      'Content-Type: text/plain',
      'Content-Type: application/json',
    ];
    expectError(await serverTime(lines), 400);
  });

  it('refuses a content coding with 415', async () => {
    const answer = await serverTime([`Authorization: Bearer ${token}`, 'Content-Encoding: gzip']);
    expectError(answer, 415);
    expect(answer.headers['accept-encoding']).toBe('identity');
  });

  it('answers stalled headers with 408 and closes the socket', async () => {
    const answer = await rawExchange(port, `GET ${SERVER_TIME_PATH} HTTP/1.1\r\nHost: x\r\n`);
    expectError(answer, 408);
    expect(answer.ms).toBeLessThan(300 + 600);
  });

  it('says nosniff on health and 404 answers too', async () => {
    for (const path of ['/healthz', '/nowhere']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
