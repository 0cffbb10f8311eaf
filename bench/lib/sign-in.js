// The sign-in side of the token group: the authorization_code exchange (a public app, PKCE, 2 signatures),
// single sign-on at /auth/authorize for a first-party app and for a third-party one with a remembered
// consent, and the cost of the one password hash each sign-in on the hosted page pays (scrypt, in-process).
import crypto from 'node:crypto';
import { hashPassword } from '../../packages/server/dist/secrets/passwords.js';
import { FORM } from './cxauth.js';
import { cxauthTarget, http } from './measurements.js';

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

const hiddenOf = (html) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1],
      m[2].replace(/&amp;/g, '&'),
    ]),
  );

/** The path of an authorization request of `clientId` (a fresh state unless `state` is given). */
const authorizePath = (clientId, state = crypto.randomBytes(8).toString('hex')) =>
  `/auth/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  })}`;

/**
 * Signs the demo user in once on the hosted page through `clientId` (allowing it on the consent page
 * when it is a third-party app) and returns the browser's cookies and a function minting codes through
 * single sign-on (GET /auth/authorize with the session cookie answers a redirect with a code).
 */
async function signedInBrowser(cx, clientId = cx.creds.public_client_id) {
  const authorize = () => `${cx.issuer}${authorizePath(clientId)}`;
  const page = await fetch(authorize(), { redirect: 'manual' });
  const browser = cookiesOf(page);
  let signIn = await fetch(`${cx.issuer}/auth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': FORM, cookie: browser },
    body: new URLSearchParams({
      ...hiddenOf(await page.text()),
      username: cx.creds.username,
      password: cx.creds.password,
    }),
  });
  const session = cookiesOf(signIn);
  if (signIn.status === 200) {
    signIn = await fetch(`${cx.issuer}/auth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': FORM, cookie: `${browser}; ${session}` },
      body: new URLSearchParams({ ...hiddenOf(await signIn.text()), decision: 'allow' }),
    });
  }
  if (signIn.status !== 302 || !session) throw new Error(`the demo sign-in answered ${signIn.status}`);
  const mint = async () => {
    const res = await fetch(authorize(), { redirect: 'manual', headers: { cookie: session } });
    const code = new URL(res.headers.get('location') ?? REDIRECT).searchParams.get('code');
    if (!code) throw new Error(`single sign-on answered ${res.status} without a code`);
    return code;
  };
  return { mint, session };
}

/**
 * Single sign-on at /auth/authorize: a signed-in browser's request answered at once with a redirect
 * carrying a code (302). With `clientId` a third-party app whose consent the user gave once, so the
 * remembered consent is read on every request; without, the demo's first-party public app.
 */
export function authorizeSso(id, label, cx, clientId = cx.creds.public_client_id) {
  let session;
  const path = authorizePath(clientId, 'bench');
  const measurement = http({
    id,
    label,
    server: cxauthTarget(cx),
    success: 302,
    request: { method: 'GET', path, setupRequest: (req) => ({ ...req, headers: { cookie: session } }) },
    check: async () => {
      session ??= (await signedInBrowser(cx, clientId)).session;
      const res = await fetch(`${cx.issuer}${path}`, { redirect: 'manual', headers: { cookie: session } });
      const code = new URL(res.headers.get('location') ?? REDIRECT).searchParams.get('code');
      if (res.status !== 302 || !code)
        throw new Error(`single sign-on answered ${res.status} without a code`);
    },
  });
  return measurement;
}

/**
 * The authorization_code exchange at the token endpoint. Codes are single-use, live ~60 s, and a browser
 * sign-in keeps at most UNEXCHANGED_CODES_PER_SIGN_IN (10) of them unexchanged (docs/operations.md), so
 * each run takes them from a pool minted just before it (outside the measured time) through single
 * sign-on by many signed-in browsers, ten codes each, and sends exactly the pool (autocannon's `amount`):
 * enough for the run at the rate of the previous one, within the browsers signed in once per bench.
 */
export function codeGrant(id, label, cx) {
  const CODES_PER_SIGN_IN = 10;
  const MAX_BROWSERS = 400;
  const pool = [];
  const browsers = [];
  // A first guess near the password grant's rate.
  let rate = 2000;
  const signInMore = async (count) => {
    while (browsers.length < count) {
      const batch = Array.from({ length: Math.min(8, count - browsers.length) }, () => signedInBrowser(cx));
      browsers.push(...(await Promise.all(batch)));
    }
  };
  const fill = async (wanted) => {
    await signInMore(Math.min(MAX_BROWSERS, Math.ceil(wanted / CODES_PER_SIGN_IN)));
    const perBrowser = Math.min(CODES_PER_SIGN_IN, Math.ceil(wanted / browsers.length));
    for (let i = 0; i < browsers.length && pool.length < wanted; i += 8) {
      const batch = browsers
        .slice(i, i + 8)
        .flatMap((b) => Array.from({ length: perBrowser }, () => b.mint()));
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
      // The run sends as many requests as the pool holds; a code the server refuses counts as a failure.
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
      await fill(Math.ceil(rate * opts.duration) + opts.connections * 4);
      const result = await measurement.run({ ...opts, amount: pool.length });
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
