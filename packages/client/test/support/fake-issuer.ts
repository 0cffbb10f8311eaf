// Test helper: a small, controllable issuer + API on one fake host, to drive the token lifecycle
// (grants, rotation, revocation, 401s, 429s) without the real server.
import { type FakeHost, fakeJwt, type Recorded, type Reply, startFakeHost } from './fake-host.js';

export const APP = { clientId: 'app-1', clientSecret: 'app-secret-Zz9' };
export const KEY = { accessKeyId: 'KEYIDAAAA====', accessKeySecret: 'KEYSECRETBBBB====' };
export const TENANT = 'tenant-0001';
export const SERVER_TIME = { ServerTime: '2021-07-21T13:38:15.3560573Z' };

export interface FakeIssuer extends FakeHost {
  /** Token requests by grant type. */
  count: { password: number; refresh_token: number; api: number; tenant: number; discovery: number };
  validAccess: Set<string>;
  validRefresh: Set<string>;
  /** Seconds; `expires_in` of the next tokens. */
  ttl: number;
  /** Overrides: return a Reply to answer instead of the normal behaviour. */
  override?: (req: Recorded) => Reply | undefined;
  /** Every request of the given kind. */
  of(kind: 'token' | 'api'): Recorded[];
}

export async function startFakeIssuer(): Promise<FakeIssuer> {
  let n = 0;
  const fake = {} as FakeIssuer;
  const issue = (): Reply => {
    n += 1;
    const access = fakeJwt({ tenantId: TENANT, jti: `at-${n}`, sub: 'user:1' });
    const refresh = `rt-${n}`;
    fake.validAccess.add(access);
    fake.validRefresh.add(refresh);
    return {
      headers: { 'Cache-Control': 'no-store' },
      body: { access_token: access, token_type: 'Bearer', expires_in: fake.ttl, refresh_token: refresh },
    };
  };
  const handle = (req: Recorded): Reply => {
    const overridden = fake.override?.(req);
    if (overridden) return overridden;
    const url = new URL(req.path, 'http://x');
    if (url.pathname === '/.well-known/openid-configuration') {
      fake.count.discovery += 1;
      return { body: { issuer: host.url, token_endpoint: `${host.url}/auth/token` } };
    }
    if (url.pathname === '/.well-known/cxone-configuration') {
      fake.count.tenant += 1;
      if (url.searchParams.get('tenantId') !== TENANT) {
        return { status: 404, body: { error: 'not_found', error_description: 'unknown tenant' } };
      }
      return { body: { tenantId: TENANT, area: 'na1', api_endpoint: host.url } };
    }
    if (url.pathname === '/auth/token') {
      const expected = `Basic ${Buffer.from(`${APP.clientId}:${APP.clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        return {
          status: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="fake"' },
          body: { error: 'invalid_client', error_description: 'client authentication failed' },
        };
      }
      const form = new URLSearchParams(req.body);
      const grant = form.get('grant_type');
      if (grant === 'password') {
        fake.count.password += 1;
        if (form.get('username') !== KEY.accessKeyId || form.get('password') !== KEY.accessKeySecret) {
          return { status: 400, body: { error: 'invalid_grant', error_description: 'access key refused' } };
        }
        return issue();
      }
      if (grant === 'refresh_token') {
        fake.count.refresh_token += 1;
        const rt = form.get('refresh_token') ?? '';
        if (!fake.validRefresh.delete(rt)) {
          return { status: 400, body: { error: 'invalid_grant', error_description: 'session ended' } };
        }
        return issue();
      }
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    if (url.pathname.startsWith('/api/')) {
      fake.count.api += 1;
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !fake.validAccess.has(token)) {
        return {
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token expired"' },
          body: { error: 'invalid_token' },
        };
      }
      return { body: SERVER_TIME };
    }
    return { status: 404, body: { error: 'not_found' } };
  };
  const host = await startFakeHost(handle);
  Object.assign(fake, host, {
    count: { password: 0, refresh_token: 0, api: 0, tenant: 0, discovery: 0 },
    validAccess: new Set<string>(),
    validRefresh: new Set<string>(),
    ttl: 3600,
    of: (kind: 'token' | 'api') =>
      host.requests.filter((r) => (kind === 'token' ? r.path === '/auth/token' : r.path.startsWith('/api/'))),
  });
  return fake;
}
