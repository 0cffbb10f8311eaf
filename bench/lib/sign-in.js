// The sign-in side of the token group: the authorization_code exchange (a public app, PKCE, 2 signatures)
// and the cost of the one password hash each sign-in on the hosted page pays (scrypt, measured in-process).
import crypto from 'node:crypto';
import { hashPassword } from '../../packages/server/dist/secrets/passwords.js';
import { FORM } from './cxauth.js';
import { http } from './measurements.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
/** One verifier for every code: each code is still single-use, and the bench measures the exchange. */
const VERIFIER = crypto.randomBytes(32).toString('base64url');
const CHALLENGE = crypto.createHash('sha256').update(VERIFIER).digest('base64url');

/** The cookies of a response, as a Cookie header. */
const cookiesOf = (res) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/**
 * Signs the demo user in once on the hosted page and returns a function minting codes through single
 * sign-on (GET /auth/authorize with the session cookie answers a redirect with a code, no password).
 */
async function signedInBrowser(cx) {
  const authorize = () =>
    `${cx.issuer}/auth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: cx.creds.public_client_id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: crypto.randomBytes(8).toString('hex'),
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })}`;
  const page = await fetch(authorize(), { redirect: 'manual' });
  const html = await page.text();
  const hidden = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1],
      m[2].replace(/&amp;/g, '&'),
    ]),
  );
  const signIn = await fetch(`${cx.issuer}/auth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': FORM, cookie: cookiesOf(page) },
    body: new URLSearchParams({ ...hidden, username: cx.creds.username, password: cx.creds.password }),
  });
  const session = cookiesOf(signIn);
  if (signIn.status !== 302 || !session) throw new Error(`the demo sign-in answered ${signIn.status}`);
  return async () => {
    const res = await fetch(authorize(), { redirect: 'manual', headers: { cookie: session } });
    const code = new URL(res.headers.get('location') ?? REDIRECT).searchParams.get('code');
    if (!code) throw new Error(`single sign-on answered ${res.status} without a code`);
    return code;
  };
}

/**
 * The authorization_code exchange at the token endpoint. Codes are single-use and live ~60 s, so each run
 * takes them from a pool minted just before it (outside the measured time) through single sign-on, enough
 * for the run at the rate of the previous one.
 */
export function codeGrant(id, label, cx) {
  const pool = [];
  let mint;
  // A first guess near the password grant's rate, so the first run's pool does not run dry.
  let rate = 3000;
  const fill = async (wanted) => {
    mint ??= await signedInBrowser(cx);
    while (pool.length < wanted) {
      const batch = Array.from({ length: Math.min(16, wanted - pool.length) }, () => mint());
      pool.push(...(await Promise.all(batch)));
    }
  };
  const form = (code) =>
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
      client_id: cx.creds.public_client_id,
    }).toString();
  const measurement = http({
    id,
    label,
    server: { pid: cx.pid, url: cx.issuer },
    request: {
      method: 'POST',
      path: '/auth/token',
      headers: { 'content-type': FORM },
      // An empty pool sends a code the server must refuse: counted as failures, and the next pool is larger.
      setupRequest: (req) => ({ ...req, body: form(pool.pop() ?? 'pool-exhausted') }),
    },
    check: async () => {
      await fill(1);
      const res = await fetch(`${cx.issuer}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: form(pool.pop()),
      });
      const body = await res.json();
      if (res.status !== 200 || !body.id_token || !body.refresh_token)
        throw new Error(`code exchange answered ${res.status}: ${Object.keys(body)}`);
    },
  });
  return {
    ...measurement,
    run: async (opts) => {
      pool.length = 0; // codes left from the last run may have expired
      await fill(Math.ceil(rate * 1.5 * opts.duration) + opts.connections * 4);
      const result = await measurement.run(opts);
      rate = Math.max(rate, result.rps ?? 0);
      return result;
    },
  };
}

/**
 * The password hash one sign-in costs (scrypt with the server's parameters, on the libuv pool), hashed
 * one at a time in this process for the round's duration: `rps` hashes/s on one thread, `p50` and `p99`
 * milliseconds per hash, `cpuUs` the wall time of one hash in µs.
 */
export function passwordHashCost() {
  return {
    id: 'password-hash',
    label: 'sign-in password hash (scrypt ln=15 r=8 p=1, in-process, one at a time)',
    unit: 'hashes/s',
    run: async ({ duration }) => {
      const times = [];
      const end = performance.now() + duration * 1000;
      while (performance.now() < end || times.length < 3) {
        const start = performance.now();
        await hashPassword('correct horse battery staple');
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const at = (q) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      console.log(
        `  sign-in cost: one scrypt password hash ≈ ${mean.toFixed(1)} ms (${times.length} hashes)`,
      );
      return { rps: 1000 / mean, ok: times.length, p50: at(0.5), p99: at(0.99), cpuUs: mean * 1000 };
    },
  };
}
