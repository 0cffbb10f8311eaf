// Both adapters refuse a request with two Authorization headers (a good token, then a bad one): Node keeps
// only the first in `headers`, so without counting them the bad one would pass unseen.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, requestText } from '../../../test/support/raw-http.js';
import { claimsOf, createVerifier, fastifyBearer, httpBearer, type Verifier } from '../src/index.js';
import { AUDIENCE, accessClaims, type FakeIssuer, mint, startIssuer } from './support/issuer.js';

let issuer: FakeIssuer;
let verifier: Verifier;
let token: string;

beforeAll(async () => {
  issuer = await startIssuer();
  verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE });
  token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(Date.now() / 1000)));
});
afterAll(async () => issuer?.close());

/** Asks `port` for `/me` with `authorizations`, each as its own header line. */
const ask = (port: number, authorizations: readonly string[]) =>
  rawExchange(
    port,
    requestText('GET', '/me', [...authorizations.map((a) => `Authorization: ${a}`), 'Connection: close']),
  );

async function expectBoth(port: number): Promise<void> {
  const one = await ask(port, [`Bearer ${token}`]);
  expect(one.status).toBe(200);
  // The good token first: it would be the one Node keeps, so the cached path must not accept it either.
  for (const pair of [
    [`Bearer ${token}`, 'Bearer forged'],
    ['Bearer forged', `Bearer ${token}`],
  ]) {
    const answer = await ask(port, pair);
    expect(answer.status).toBe(400);
    expect(answer.headers['www-authenticate']).toMatch(/error="invalid_request"/);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'More than one Authorization header',
    });
  }
}

describe('a repeated Authorization header', () => {
  it('is refused by the Fastify plugin', async () => {
    const app = Fastify();
    await app.register(async (api) => {
      await api.register(fastifyBearer, { verifier });
      api.get('/me', async (request) => ({ sub: claimsOf(request)?.sub }));
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      await expectBoth((app.server.address() as AddressInfo).port);
    } finally {
      await app.close();
    }
  });

  it('is refused by the Node http middleware', async () => {
    const bearer = httpBearer(verifier);
    const server = createServer((req, res) => bearer(req, res, () => res.end(claimsOf(req)?.sub)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await expectBoth((server.address() as AddressInfo).port);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
