// Unknown and known ids take the same time: an unknown access-key id, or client id, must not answer
// measurably faster or slower than a known one with a wrong secret, or ids could be probed by timing.
// Both paths do the same work (one cached lookup, hit or miss, and one hash comparison); this compares
// the medians of many interleaved requests, which a noisy shared machine shifts for both alike. (The
// first sight of an id in a process reads storage whether it is known or not; a known id's row costs a
// little more to read: see docs/operations.md "Throttling" for why the address throttle bounds that.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccessKeyPart } from '../src/secrets/random-secrets.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

const ROUNDS = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Microseconds one request takes, end to end in-process. */
async function timed(send: () => Promise<{ statusCode: number }>, status: number): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await send();
  const elapsed = Number(process.hrtime.bigint() - start) / 1000;
  expect(res.statusCode).toBe(status);
  return elapsed;
}

/** Interleaves the two kinds of request (in alternating order) and returns both medians, µs. */
async function compare(
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<{ a: number; b: number }> {
  // Warm-up: JIT, statement cache and lookup cache, for both alike.
  for (let i = 0; i < 30; i++) {
    await a();
    await b();
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return { a: median(as), b: median(bs) };
}

/** Equal within what the machine's noise allows: 8 µs, or 6% of the slower median. */
function expectSameTime({ a, b }: { a: number; b: number }): void {
  const allowed = Math.max(8, 0.06 * Math.max(a, b));
  expect(Math.abs(a - b), `medians ${a.toFixed(1)} µs and ${b.toFixed(1)} µs`).toBeLessThanOrEqual(allowed);
}

describe('known and unknown ids take the same time', () => {
  let svc: TestService;
  beforeAll(async () => {
    // Thousands of refusals from one address: throttling (tested in throttling.test.ts) is off here.
    svc = await startTestService({ env: { CXAUTH_THROTTLE: 'off' } });
  });
  afterAll(async () => svc?.close());

  const passwordWith = (keyId: string) =>
    tokenRequest(
      svc.app,
      { grant_type: 'password', username: keyId, password: 'wrong-secret' },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );

  it('an access key id, presented again and again', async () => {
    const unknown = generateAccessKeyPart();
    const known = svc.fixture.accessKeyId;
    expectSameTime(
      await compare(
        () => timed(() => passwordWith(known), 400),
        () => timed(() => passwordWith(unknown), 400),
      ),
    );
  });

  it('a client id, with a wrong secret', async () => {
    const send = (clientId: string) =>
      tokenRequest(
        svc.app,
        { grant_type: 'password', username: 'x', password: 'y' },
        { authorization: basic(clientId, 'wrong-secret') },
      );
    expectSameTime(
      await compare(
        () => timed(() => send(svc.fixture.clientId), 401),
        () => timed(() => send('no-such-client'), 401),
      ),
    );
  });
});
