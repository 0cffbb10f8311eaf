// POST /auth/token: client authentication (basic and post, exactly one), request format and the
// RFC 6749 §5.2 error responses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, FORM, form, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

let svc: TestService;
beforeAll(async () => {
  // These tests send many refused requests from one address: throttling (throttling.test.ts) is off.
  svc = await startTestService({ env: { CXAUTH_THROTTLE: 'off' } });
});
afterAll(async () => svc?.close());

const grant = () => ({
  grant_type: 'password',
  username: svc.fixture.accessKeyId,
  password: svc.fixture.accessKeySecret,
});
const auth = () => ({ authorization: basic(svc.fixture.clientId, svc.fixture.clientSecret) });

describe('client authentication', () => {
  it('answers an unknown client and a wrong secret alike: 401 + WWW-Authenticate Basic', async () => {
    const unknown = await tokenRequest(svc.app, grant(), { authorization: basic('no-such-client', 'x') });
    const wrong = await tokenRequest(svc.app, grant(), {
      authorization: basic(svc.fixture.clientId, 'wrong'),
    });
    for (const res of [unknown, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="cxauth"/);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(wrong.json()).toEqual(unknown.json());
    expect(unknown.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('fails client_secret_post with 401 invalid_client and no Basic challenge', async () => {
    const res = await tokenRequest(svc.app, {
      ...grant(),
      client_id: svc.fixture.clientId,
      client_secret: 'wrong',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('refuses a deactivated application at once, with its lookup cached', async () => {
    const extra = await svc.addApplication();
    const headers = { authorization: basic(extra.clientId, extra.clientSecret) };
    expect((await tokenRequest(svc.app, grant(), headers)).statusCode).toBe(200);
    await svc.storage.applications.setStatus(extra.clientId, 'inactive', svc.clock.now());
    const res = await tokenRequest(svc.app, grant(), headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('form-urldecodes each Basic part (RFC 6749 §2.3.1)', async () => {
    const odd = await svc.addApplication({ clientId: 'app with:colon+plus/%' });
    expect(odd.clientId).toBe('app with:colon+plus/%');
    const res = await tokenRequest(svc.app, grant(), {
      authorization: basic(odd.clientId, odd.clientSecret),
    });
    expect(res.statusCode).toBe(200);
    // Without the encoding, the first colon of the id would split it wrongly.
    const raw = `Basic ${Buffer.from(`${odd.clientId}:${odd.clientSecret}`).toString('base64')}`;
    expect((await tokenRequest(svc.app, grant(), { authorization: raw })).statusCode).toBe(401);
  });

  it('accepts the Basic scheme in any case', async () => {
    const header = auth().authorization.replace('Basic', 'bAsIc');
    expect((await tokenRequest(svc.app, grant(), { authorization: header })).statusCode).toBe(200);
  });

  it('refuses two authentication methods in one request: invalid_request', async () => {
    const res = await tokenRequest(svc.app, { ...grant(), client_secret: svc.fixture.clientSecret }, auth());
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('tolerates client_id in the body with Basic only when it is the same client', async () => {
    expect(
      (await tokenRequest(svc.app, { ...grant(), client_id: svc.fixture.clientId }, auth())).statusCode,
    ).toBe(200);
    const res = await tokenRequest(svc.app, { ...grant(), client_id: 'another' }, auth());
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('requires client authentication: 401 invalid_client', async () => {
    const none = await tokenRequest(svc.app, grant());
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('invalid_client');
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    const idOnly = await tokenRequest(svc.app, { ...grant(), client_id: svc.fixture.clientId });
    expect(idOnly.statusCode).toBe(401);
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['bad base64', 'Basic ***'],
    ['no colon', `Basic ${Buffer.from('justid').toString('base64')}`],
    ['bad percent-encoding', `Basic ${Buffer.from('%zz:secret').toString('base64')}`],
  ])('refuses malformed credentials (%s): 401 invalid_client', async (_label, authorization) => {
    const res = await tokenRequest(svc.app, grant(), { authorization });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
  });
});

describe('request format', () => {
  it('requires grant_type: invalid_request', async () => {
    const res = await tokenRequest(svc.app, { username: 'a', password: 'b' }, auth());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'grant_type is required' });
  });

  it('answers client_credentials for an application not allowed it with unauthorized_client', async () => {
    const res = await tokenRequest(svc.app, { grant_type: 'client_credentials' }, auth());
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
  });

  it.each(['urn:ietf:params:oauth:grant-type:saml2-bearer', 'urn:ietf:params:oauth:grant-type:jwt-bearer'])(
    'answers grant_type=%s with unsupported_grant_type',
    async (grantType) => {
      const res = await tokenRequest(svc.app, { grant_type: grantType }, auth());
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('unsupported_grant_type');
    },
  );

  it('refuses a repeated parameter: invalid_request', async () => {
    const res = await tokenRequest(svc.app, `${form(grant())}&username=again`, auth());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the parameter username is repeated',
    });
  });

  it('refuses malformed percent-encoding: invalid_request', async () => {
    const res = await tokenRequest(svc.app, 'grant_type=password&username=%E0%A4%A', auth());
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it.each([
    ['application/json', JSON.stringify({ grant_type: 'password' })],
    ['text/plain', 'grant_type=password'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('refuses Content-Type %s: 400 invalid_request', async (type, payload) => {
    const res = await svc.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': type, ...auth() },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a body without Content-Type: 400 invalid_request', async () => {
    const res = await svc.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: auth(),
      payload: form(grant()),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('caps the body size: 413 invalid_request', async () => {
    const big = `${form(grant())}&pad=${'a'.repeat(svc.config.bodyLimit)}`;
    const res = await tokenRequest(svc.app, big, auth());
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('invalid_request');
  });

  it('answers GET with 405 and Allow', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/auth/token' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST, OPTIONS');
    expect(res.json().error).toBe('method_not_allowed');
  });

  it('an empty body is a missing client, not a crash', async () => {
    const res = await svc.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': FORM },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });
});

const pgReason = await pgUnavailable();

describe.each([
  ['SQLite', 'sqlite' as const, false],
  ['PostgreSQL', 'postgres' as const, pgReason !== undefined],
])('parameters with a control character (%s)', (_label, dialect, skip) => {
  // RFC 6749 Appendix A admits no control character in any parameter; U+0000 would also reach a
  // PostgreSQL text lookup, which cannot hold it. Each is refused as malformed, never as a 500.
  let db: TestService;
  beforeAll(async () => {
    if (!skip) db = await startTestService({ dialect });
  });
  afterAll(async () => db?.close());

  it.skipIf(skip)('are malformed requests or malformed client credentials', async () => {
    const good = { authorization: basic(db.fixture.clientId, db.fixture.clientSecret) };
    const key = {
      grant_type: 'password',
      username: db.fixture.accessKeyId,
      password: db.fixture.accessKeySecret,
    };
    for (const bad of ['a\u0000b', 'a\u001fb', 'a\nb', 'a\u007fb']) {
      const post = await tokenRequest(db.app, { ...key, client_id: bad, client_secret: 'x' });
      expect(post.statusCode).toBe(400);
      expect(post.json().error).toBe('invalid_request');
      const viaBasic = await tokenRequest(db.app, key, { authorization: basic(bad, 'x') });
      expect(viaBasic.statusCode).toBe(401);
      expect(viaBasic.json().error).toBe('invalid_client');
      const username = await tokenRequest(db.app, { ...key, username: bad }, good);
      expect(username.statusCode).toBe(400);
      expect(username.json().error).toBe('invalid_request');
    }
    // A tab is allowed (UNICODECHARNOCRLF): an unknown key, not a malformed request.
    const tab = await tokenRequest(db.app, { ...key, username: 'a\tb' }, good);
    expect(tab.json().error).toBe('invalid_grant');
  });
});
