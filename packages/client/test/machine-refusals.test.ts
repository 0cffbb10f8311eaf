// revoke and introspect against a fake issuer that refuses: the token (and its type hint) is posted
// as the form of RFC 7009 §2.1 / RFC 7662 §2.1, an `invalid_client` answer is the token endpoint's
// `invalid_client`, and any other refusal is the endpoint's own failure code with the server's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError, introspect, revoke } from '../src/index.js';
import { type FakeHost, type Reply, startFakeHost } from './support/fake-host.js';

let host: FakeHost;
let answer: Reply = { status: 200, body: {} };

beforeAll(async () => {
  host = await startFakeHost((req) => {
    if (req.path === '/.well-known/openid-configuration') {
      return {
        body: {
          issuer: host.url,
          token_endpoint: `${host.url}/auth/token`,
          revocation_endpoint: `${host.url}/auth/revoke`,
          introspection_endpoint: `${host.url}/auth/introspect`,
        },
      };
    }
    return answer;
  });
});
afterAll(() => host.close());

const options = () => ({ issuer: host.url, clientId: 'app', clientSecret: 'app-secret', token: 'tok-1' });

async function refusal(call: () => Promise<unknown>): Promise<ClientError> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  return err as ClientError;
}

describe.each([
  { name: 'revoke', call: revoke, path: '/auth/revoke', code: 'revocation_failed', endpoint: 'revocation' },
  {
    name: 'introspect',
    call: introspect,
    path: '/auth/introspect',
    code: 'introspection_failed',
    endpoint: 'introspection',
  },
] as const)('$name refused', ({ call, path, code, endpoint }) => {
  it('posts the token and its hint, and names the server error of a refusal', async () => {
    answer = { status: 503, body: { error: 'temporarily_unavailable' } };
    const err = await refusal(() => call({ ...options(), tokenTypeHint: 'refresh_token' }));
    expect(err.code).toBe(code);
    expect(err.message).toBe(`the ${endpoint} endpoint answered 503 (temporarily_unavailable)`);
    expect(err.status).toBe(503);
    expect(err.error).toBe('temporarily_unavailable');
    const posted = host.requests.at(-1);
    expect(posted?.method).toBe('POST');
    expect(posted?.path).toBe(path);
    expect(Object.fromEntries(new URLSearchParams(posted?.body))).toMatchObject({
      token: 'tok-1',
      token_type_hint: 'refresh_token',
    });
    expect(posted?.body).not.toContain('app-secret');
  });

  it('answers a refusal without an error member with the status alone', async () => {
    answer = { status: 500, body: 'oops' };
    const err = await refusal(() => call(options()));
    expect(err.code).toBe(code);
    expect(err.message).toBe(`the ${endpoint} endpoint answered 500`);
    expect(new URLSearchParams(host.requests.at(-1)?.body).has('token_type_hint')).toBe(false);
  });

  it('reports invalid_client as the token endpoint does', async () => {
    answer = { status: 401, body: { error: 'invalid_client' } };
    const err = await refusal(() => call(options()));
    expect(err.code).toBe('invalid_client');
  });
});
