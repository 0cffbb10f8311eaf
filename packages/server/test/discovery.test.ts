// GET /.well-known/openid-configuration: metadata of what is implemented, the configured issuer exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryDocument } from '../src/endpoints/discovery.js';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.close());

describe('OpenID discovery', () => {
  it('describes the implemented endpoints, grants, auth methods and algorithms', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const doc = res.json();
    expect(doc).toMatchObject({
      issuer: TEST_ISSUER,
      token_endpoint: `${TEST_ISSUER}/auth/token`,
      jwks_uri: `${TEST_ISSUER}/auth/jwks`,
      userinfo_endpoint: `${TEST_ISSUER}/auth/userinfo`,
      authorization_endpoint: `${TEST_ISSUER}/auth/authorize`,
      end_session_endpoint: `${TEST_ISSUER}/auth/authorize/logout`,
      revocation_endpoint: `${TEST_ISSUER}/auth/revoke`,
      introspection_endpoint: `${TEST_ISSUER}/auth/introspect`,
      device_authorization_endpoint: `${TEST_ISSUER}/auth/device`,
      grant_types_supported: [
        'authorization_code',
        'password',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'admin'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      display_values_supported: ['page', 'popup'],
      prompt_values_supported: ['none', 'login'],
      authorization_response_iss_parameter_supported: true,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    // RFC 8414 §3: the same document where OAuth clients look for it.
    const oauthMetadata = await svc.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
    });
    expect(oauthMetadata.statusCode).toBe(200);
    expect(oauthMetadata.headers['cache-control']).toBe('public, max-age=3600');
    expect(oauthMetadata.json()).toEqual(doc);
  });

  it('says whether passkeys are offered under the issuer, and why not (for the console)', () => {
    expect(discoveryDocument(TEST_ISSUER, [])).toMatchObject({ cxauth_passkeys_rp_id: 'auth.cxauth.test' });
    expect(discoveryDocument('https://auth.cxauth.test', [])).not.toHaveProperty(
      'cxauth_passkeys_unavailable',
    );
    expect(discoveryDocument('http://localhost:8080', [])).toMatchObject({
      cxauth_passkeys_rp_id: 'localhost',
    });
    expect(discoveryDocument('http://a.localhost:8080', [])).toMatchObject({
      cxauth_passkeys_rp_id: 'a.localhost',
    });
    for (const [issuer, reason] of [
      ['http://127.0.0.1:8080', 'ip_address'],
      ['https://[::1]:8443', 'ip_address'],
      ['https://10.0.0.7', 'ip_address'],
      ['http://auth.example.com', 'not_https'],
    ] as const) {
      expect({ issuer, doc: discoveryDocument(issuer, []) }).toMatchObject({
        issuer,
        doc: { cxauth_passkeys_rp_id: null, cxauth_passkeys_unavailable: reason },
      });
    }
  });

  it('never derives the issuer from the Host header', async () => {
    const res = await svc.app.inject({
      method: 'GET',
      url: '/.well-known/openid-configuration',
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
    });
    expect(res.body).not.toContain('evil.example');
    expect(res.json().issuer).toBe(TEST_ISSUER);
  });

  it('answers HEAD, and 405 with Allow for POST', async () => {
    const head = await svc.app.inject({ method: 'HEAD', url: '/.well-known/openid-configuration' });
    expect(head.statusCode).toBe(200);
    const post = await svc.app.inject({ method: 'POST', url: '/.well-known/openid-configuration' });
    expect(post.statusCode).toBe(405);
    expect(post.headers['allow']).toBe('GET, OPTIONS, HEAD');
  });

  it('keeps an issuer with a path exactly', async () => {
    const withPath = await startTestService({ issuer: 'https://login.example.com/tenant-a' });
    try {
      const doc = (
        await withPath.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
      ).json();
      expect(doc.issuer).toBe('https://login.example.com/tenant-a');
      expect(doc.token_endpoint).toBe('https://login.example.com/tenant-a/auth/token');
    } finally {
      await withPath.close();
    }
  });
});
