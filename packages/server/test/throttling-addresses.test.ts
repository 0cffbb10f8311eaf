// Throttling that cannot be turned against users (docs/operations.md "Throttling"), over real sockets
// from many source addresses (every 127.x.y.z reaches the loopback interface): attacks that know only
// public identifiers leave the genuine client un-delayed, a client racing its own refreshes does not
// delay itself, a trusted reverse proxy (X-Forwarded-For or Forwarded) throttles per real client,
// forwarding headers from anyone else change nothing, and a username guessed from many addresses is
// delayed everywhere but in its owner's browser holding a device cookie, and so is a second factor.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressNetwork } from '../src/domain/address-network.js';
import type { Application } from '../src/domain/types.js';
import { hotp, totpStep } from '../src/secrets/totp.js';
import { basic, FORM, form } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { authorizeQuery, hiddenInputs, PASSWORD, pkce, publicApp, signInUser } from './support/sign-in.js';

/** The reverse proxies' own source addresses: the only ones the service trusts. */
const XFF_PROXY = '127.0.0.250';
const FORWARDED_PROXY = '127.0.0.251';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection from `from` (the source address it binds). */
function send(
  base: string,
  from: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const url = new URL(o.path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: o.method ?? 'GET',
        headers: o.headers,
        localAddress: from,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * A small reverse proxy, as nginx or HAProxy would be: it connects from `localAddress` and appends
 * the client's address to X-Forwarded-For, or to Forwarded (removing X-Forwarded-For, as documented).
 */
async function startProxy(
  target: string,
  localAddress: string,
  mode: 'x-forwarded-for' | 'forwarded',
): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress as string;
    const headers = { ...req.headers };
    if (mode === 'x-forwarded-for') {
      headers['x-forwarded-for'] = headers['x-forwarded-for']
        ? `${headers['x-forwarded-for']}, ${peer}`
        : peer;
    } else {
      const node = `for="${peer}:${req.socket.remotePort}";proto=http;by=${localAddress}`;
      headers.forwarded = headers.forwarded ? `${headers.forwarded}, ${node}` : node;
      delete headers['x-forwarded-for'];
    }
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers,
        localAddress,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A browser over real sockets from one address: keeps the cookies it is given. */
class LiveBrowser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly from: string,
  ) {}

  async request(o: { method?: string; path: string; body?: string }): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers: Record<string, string> = cookie ? { cookie } : {};
    if (o.body !== undefined) headers['content-type'] = FORM;
    const answer = await send(this.base, this.from, { ...o, headers });
    for (const line of answer.headers['set-cookie'] ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attributes.some((a) => a.trim().toLowerCase() === 'max-age=0'))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return answer;
  }

  /** Shows the sign-in form of `app` and posts `username` and `password`. */
  async signIn(app: Application, username: string, password: string): Promise<Answer> {
    const page = await this.request({ path: `/auth/authorize?${authorizeQuery(app, pkce())}` });
    expect(page.status).toBe(200);
    return this.request({
      method: 'POST',
      path: '/auth/authorize',
      body: form({ ...hiddenInputs(page.body), username, password }),
    });
  }
}

let svc: TestService;
let base: string;
const logLines: string[] = [];
const proxies: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  svc = await startTestService({
    env: {
      CXAUTH_TRUSTED_PROXIES: `${XFF_PROXY},${FORWARDED_PROXY}`,
      // Fewer failures per username than the default 20, so the test spends less on password hashes.
      CXAUTH_THROTTLE_IDENTIFIER_FAILURES: '5',
    },
    logger: {
      stream: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      }),
    },
  });
  base = await svc.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await svc?.close();
});

/** A token request from `from`, through `via` (a proxy's URL) or straight to the service. */
const token = (
  from: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  via = base,
) =>
  send(via, from, {
    method: 'POST',
    path: '/auth/token',
    headers: { 'content-type': FORM, ...headers },
    body: form(params),
  });

const genuine = () => ({
  params: {
    grant_type: 'password',
    username: svc.fixture.accessKeyId,
    password: svc.fixture.accessKeySecret,
  },
  headers: { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('attacks that know only public identifiers', () => {
  it('unknown access-key ids and wrong secrets naming the client, from 25 addresses: the client is not delayed', async () => {
    for (const i of range(25)) {
      const from = `127.0.1.${i}`;
      // An unknown key id with the client's id (its secret is not known), and with no secret at all.
      const wrongSecret = await token(
        from,
        { grant_type: 'password', username: `AKUNKNOWN${i}`, password: 'x' },
        { authorization: basic(svc.fixture.clientId, `guess-${i}`) },
      );
      expect(wrongSecret.status).toBe(401);
      const idOnly = await token(from, {
        grant_type: 'password',
        client_id: svc.fixture.clientId,
        username: `AKUNKNOWN${i}`,
        password: 'x',
      });
      expect(idOnly.status).toBe(401);
    }
    const { params, headers } = genuine();
    expect((await token('127.0.1.200', params, headers)).status).toBe(200);
    // The client with its right secret but unknown key ids from one address: that pair is delayed, and
    // only there (the client keeps working from everywhere else).
    for (let i = 0; i < 5; i++) {
      const res = await token('127.0.1.201', { ...params, username: 'AKUNKNOWN', password: 'x' }, headers);
      expect(res.status).toBe(400);
    }
    expect(
      (await token('127.0.1.201', { ...params, username: 'AKUNKNOWN', password: 'x' }, headers)).status,
    ).toBe(429);
    expect((await token('127.0.1.202', params, headers)).status).toBe(200);
  });

  it('bogus code exchanges naming a public client, from 21 addresses and 30 from one: nothing is delayed', async () => {
    const app = await publicApp(svc);
    const exchange = (from: string, i: number) =>
      token(from, {
        grant_type: 'authorization_code',
        client_id: app.clientId,
        code: `bogus-${i}`,
        redirect_uri: 'http://127.0.0.1:9999/callback',
        code_verifier: 'v'.repeat(43),
      });
    for (const i of range(21)) expect((await exchange(`127.0.2.${i}`, i)).status).toBe(400);
    for (const i of range(30)) expect((await exchange('127.0.2.100', i)).status).toBe(400);
    // Still judged on its merits (invalid_grant), never refused as throttled, from anywhere.
    const after = await exchange('127.0.2.200', 0);
    expect(after.status).toBe(400);
    expect(JSON.parse(after.body)).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange('127.0.2.100', 99)).status).toBe(400);
  });

  it("malformed client credentials naming a user's access-key id, from 20 addresses: the key is not delayed", async () => {
    const owner = await svc.addAccessKey(svc.fixture.user);
    for (const i of range(20)) {
      const from = `127.0.3.${i}`;
      const attempts: [Record<string, string>, Record<string, string>][] = [
        [{ grant_type: 'password', username: owner.id, password: 'x' }, { authorization: 'Basic !!!' }],
        [{ grant_type: 'password', username: owner.id, password: 'x' }, { authorization: 'Bearer abc' }],
        [
          { grant_type: 'password', username: owner.id, password: 'x', client_secret: 'y' },
          { authorization: basic(svc.fixture.clientId, 'z') },
        ],
      ];
      for (const [params, headers] of attempts) {
        const res = await token(from, params, headers);
        expect([400, 401]).toContain(res.status);
      }
    }
    const res = await token(
      '127.0.3.200',
      { grant_type: 'password', username: owner.id, password: owner.secret },
      { authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) },
    );
    expect(res.status).toBe(200);
  });
});

describe('a client that races itself', () => {
  it('50 concurrent refreshes of one token: one wins, the rest are refused, and the next password grant is 200', async () => {
    const { params, headers } = genuine();
    const from = '127.0.4.1';
    const login = await token(from, params, headers);
    expect(login.status).toBe(200);
    const refreshToken = JSON.parse(login.body).refresh_token as string;
    const race = await Promise.all(
      range(50).map(() => token(from, { grant_type: 'refresh_token', refresh_token: refreshToken }, headers)),
    );
    const statuses = race.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBe(1);
    expect(statuses.filter((s) => s === 400).length).toBe(49);
    expect((await token(from, params, headers)).status).toBe(200);
  });
});

describe('behind a trusted reverse proxy', () => {
  it.each([
    ['X-Forwarded-For', 'x-forwarded-for', XFF_PROXY, 5],
    ['Forwarded', 'forwarded', FORWARDED_PROXY, 6],
  ] as const)(
    'throttles per real client through a proxy sending %s',
    async (_name, mode, proxyAddress, net) => {
      const proxy = await startProxy(base, proxyAddress, mode);
      proxies.push(proxy);
      const { params, headers } = genuine();
      const attacker = `127.0.${net}.1`;
      for (let i = 0; i < 5; i++) {
        expect((await token(attacker, { ...params, password: 'wrong' }, headers, proxy.url)).status).toBe(
          400,
        );
      }
      expect((await token(attacker, params, headers, proxy.url)).status).toBe(429);
      // Everyone else behind the same proxy is unaffected: the proxy's own address is not the key.
      expect((await token(`127.0.${net}.2`, params, headers, proxy.url)).status).toBe(200);
      // The audit trail and the request log name the real client, not the proxy.
      await expect
        .poll(
          async () =>
            (await svc.storage.auditEvents.list({ type: 'throttle.engaged', limit: 10_000 })).some(
              (e) => e.address === attacker,
            ),
          { timeout: 5000 },
        )
        .toBe(true);
      const requests = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
      expect(requests.some((l) => l.address === attacker && l.status === 429)).toBe(true);
      expect(requests.some((l) => l.address === proxyAddress)).toBe(false);
    },
  );

  it('ignores spoofed X-Forwarded-For and Forwarded from an untrusted address: no chosen key, no chosen audit address', async () => {
    const { params, headers } = genuine();
    const attacker = '127.0.7.1';
    const spoof = (i: number) => ({
      ...headers,
      'x-forwarded-for': `127.0.7.${100 + i}`,
      forwarded: `for=127.0.7.${100 + i}`,
    });
    for (let i = 0; i < 5; i++) {
      expect((await token(attacker, { ...params, password: 'wrong' }, spoof(i))).status).toBe(400);
    }
    // Each attempt named another address; all of them counted against the attacker's own.
    expect((await token(attacker, params, spoof(9))).status).toBe(429);
    // Whose address was named is untouched.
    expect((await token('127.0.7.101', params, headers)).status).toBe(200);
    await expect
      .poll(
        async () =>
          (await svc.storage.auditEvents.list({ type: 'grant.refused', limit: 10_000 }))
            .filter((e) => e.address?.startsWith('127.0.7.'))
            .map((e) => e.address),
        { timeout: 5000 },
      )
      .toEqual(Array(5).fill(attacker));
    // Through the trusted proxy, entries the client put in X-Forwarded-For are left of its real address.
    const proxy = await startProxy(base, XFF_PROXY, 'x-forwarded-for');
    proxies.push(proxy);
    const behind = '127.0.7.2';
    for (let i = 0; i < 5; i++) {
      const res = await token(behind, { ...params, password: 'wrong' }, spoof(20 + i), proxy.url);
      expect(res.status).toBe(400);
    }
    expect((await token(behind, params, spoof(30), proxy.url)).status).toBe(429);
  });
});

describe('IPv6 clients', () => {
  it('count by their /64: guesses from many addresses of one network delay all of it, and only it', async () => {
    const { params, headers } = genuine();
    // Through the trusted proxy, as an IPv6 client reaches a service behind it.
    const from = (address: string) => ({ ...headers, 'x-forwarded-for': address });
    for (const i of range(5)) {
      const res = await token(XFF_PROXY, { ...params, password: 'wrong' }, from(`2001:db8:7:1::${i}`));
      expect(res.status).toBe(400);
    }
    // A sixth address of the same /64, with the right secret: delayed, as one address would be.
    const same = await token(XFF_PROXY, params, from('2001:db8:7:1:ffff:1:2:3'));
    expect(same.status).toBe(429);
    expect(Number(same.headers['retry-after'])).toBeGreaterThan(0);
    // The next /64 is another network: not delayed.
    expect((await token(XFF_PROXY, params, from('2001:db8:7:2::1'))).status).toBe(200);
  });

  it('name the IPv4 address an IPv4-mapped one carries, and group nothing else', () => {
    expect(addressNetwork('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressNetwork('2001:DB8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressNetwork('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressNetwork('fe80::1%eth0')).toBe('fe80::/64');
    expect(addressNetwork('10.1.2.3')).toBe('10.1.2.3');
    expect(addressNetwork('not an address')).toBe('not an address');
  });
});

describe('a username guessed from many addresses', () => {
  it('is delayed for everyone but the browser holding a device cookie of its earlier sign-in', async () => {
    const app = await publicApp(svc);
    const { user } = await signInUser(svc);
    // The user's own browser signs in first and receives a device cookie.
    const own = new LiveBrowser(base, '127.0.8.200');
    const first = await own.signIn(app, user.email, PASSWORD);
    expect(first.status).toBe(302);
    const device = [...own.cookies.keys()].find((name) => name.endsWith('cxauth_device'));
    expect(device).toBeDefined();
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/cxauth_device=[^;]+;[^,]*HttpOnly/);
    expect(setCookie).toMatch(/cxauth_device=[^;]+;[^,]*SameSite=Lax/);
    expect(setCookie).toMatch(/cxauth_device=[^;]+;[^,]*Secure/);
    // A second browser of the user, signed in too.
    const other = new LiveBrowser(base, '127.0.8.201');
    expect((await other.signIn(app, user.email, PASSWORD)).status).toBe(302);
    // A browser of someone else, with a device cookie of its own user.
    const { user: neighbour } = await signInUser(svc);
    const theirs = new LiveBrowser(base, '127.0.8.204');
    expect((await theirs.signIn(app, neighbour.email, PASSWORD)).status).toBe(302);

    // Five wrong passwords, each from another address: the username's counter delays it.
    for (const i of range(5)) {
      const res = await new LiveBrowser(base, `127.0.8.${i}`).signIn(app, user.email, 'guess');
      expect(res.status).toBe(200);
    }
    const stranger = await new LiveBrowser(base, '127.0.8.100').signIn(app, user.email, PASSWORD);
    expect(stranger.status).toBe(429);
    // The user's browser with its device cookie is not delayed (a new address, even).
    const deviceOf = (b: LiveBrowser) => b.cookies.get(device as string) as string;
    const ownAgain = new LiveBrowser(base, '127.0.8.202');
    ownAgain.cookies.set(device as string, deviceOf(own));
    expect((await ownAgain.signIn(app, user.email, PASSWORD)).status).toBe(302);
    // A device cookie of another user, or a forged one, is no exemption.
    const forged = new LiveBrowser(base, '127.0.8.203');
    forged.cookies.set(device as string, 'A'.repeat(65));
    expect((await forged.signIn(app, user.email, PASSWORD)).status).toBe(429);
    const borrowed = new LiveBrowser(base, '127.0.8.205');
    borrowed.cookies.set(device as string, deviceOf(theirs));
    expect((await borrowed.signIn(app, user.email, PASSWORD)).status).toBe(429);

    // The device cookie that fails too often is delayed by itself, wherever it goes; the user's other
    // browser keeps its own.
    for (const i of range(5)) {
      const b = new LiveBrowser(base, `127.0.9.${i}`);
      b.cookies.set(device as string, deviceOf(own));
      expect((await b.signIn(app, user.email, 'guess')).status).toBe(200);
    }
    const stolen = new LiveBrowser(base, '127.0.9.100');
    stolen.cookies.set(device as string, deviceOf(own));
    expect((await stolen.signIn(app, user.email, PASSWORD)).status).toBe(429);
    const otherAgain = new LiveBrowser(base, '127.0.9.101');
    otherAgain.cookies.set(device as string, deviceOf(other));
    expect((await otherAgain.signIn(app, user.email, PASSWORD)).status).toBe(302);
  });
});

describe('a second factor guessed from many addresses', () => {
  it('is delayed per user, except in the browser holding its device cookie', async () => {
    const app = await publicApp(svc);
    const { user, totpSecret } = await signInUser(svc, { totp: true });
    const code = (offset = 0) => hotp(totpSecret as Buffer, totpStep(svc.clock.now()) + offset);
    const withOtp = async (b: LiveBrowser, otp: string) => {
      const step = await b.signIn(app, user.email, PASSWORD);
      expect(step.status).toBe(200);
      expect(step.body).toContain('name="otp"');
      return b.request({
        method: 'POST',
        path: '/auth/authorize',
        body: form({ ...hiddenInputs(step.body), otp }),
      });
    };
    const own = new LiveBrowser(base, '127.0.10.200');
    expect((await withOtp(own, code())).status).toBe(302);
    const device = [...own.cookies.keys()].find((name) => name.endsWith('cxauth_device')) as string;
    expect(own.cookies.get(device)).toBeDefined();
    svc.clock.advance(30);
    // Someone who knows the password guesses codes from five addresses: the user's counter delays.
    for (const i of range(5)) {
      const res = await withOtp(new LiveBrowser(base, `127.0.10.${i}`), code(-1000));
      expect(res.status).toBe(200);
    }
    expect((await withOtp(new LiveBrowser(base, '127.0.10.100'), code())).status).toBe(429);
    const ownAgain = new LiveBrowser(base, '127.0.10.201');
    ownAgain.cookies.set(device, own.cookies.get(device) as string);
    expect((await withOtp(ownAgain, code())).status).toBe(302);
    await expect
      .poll(
        async () =>
          (await svc.storage.auditEvents.list({ type: 'throttle.engaged', limit: 10_000 })).some((e) =>
            String(e.details['counters']).includes(`second_factor=${user.id}`),
          ),
        { timeout: 5000 },
      )
      .toBe(true);
  });
});
