// The service driven by an independent OAuth 2.0 / OpenID Connect client (oauth4webapi) over a real
// socket: discovery, the password grant, refresh, userinfo, id_token and RFC 9068 access-token checks.
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let issuer: URL;
let as: oauth.AuthorizationServer;
let client: oauth.Client;
// Plain http is fine on the loopback interface of a test.
const insecure = { [oauth.allowInsecureRequests]: true };

beforeAll(async () => {
  const port = await freePort();
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}` });
  await svc.app.listen({ host: '127.0.0.1', port });
  issuer = new URL(svc.config.issuer);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
  );
  client = { client_id: svc.fixture.clientId };
});
afterAll(async () => svc?.close());

async function passwordGrant(auth: oauth.ClientAuth, scope = 'openid') {
  const response = await oauth.genericTokenEndpointRequest(
    as,
    client,
    auth,
    'password',
    { username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret, scope },
    insecure,
  );
  return oauth.processGenericTokenEndpointResponse(as, client, response);
}

describe('oauth4webapi against cxauth', () => {
  it('accepts the discovery document', () => {
    expect(as.issuer).toBe(svc.config.issuer);
    expect(as.token_endpoint).toBe(`${svc.config.issuer}/auth/token`);
  });

  it('obtains tokens with the password grant (client_secret_basic) and validates the id_token', async () => {
    const result = await passwordGrant(oauth.ClientSecretBasic(svc.fixture.clientSecret));
    expect(result.token_type).toBe('bearer');
    expect(result.expires_in).toBe(3600);
    const idToken = oauth.getValidatedIdTokenClaims(result);
    expect(idToken?.sub).toBe(`user:${svc.fixture.user.id}`);
    expect(idToken?.aud).toBe(svc.fixture.clientId);
    // oauth4webapi trusts the TLS channel for id_token signatures; check it against the JWKS too.
    const jwks = jose.createRemoteJWKSet(new URL(as.jwks_uri as string));
    const verified = await jose.jwtVerify(result.id_token as string, jwks, {
      issuer: svc.config.issuer,
      audience: svc.fixture.clientId,
      algorithms: ['RS256'],
    });
    expect(verified.protectedHeader.kid).toBe(svc.keys.active.kid);
  });

  it('works with client_secret_post too', async () => {
    const result = await passwordGrant(oauth.ClientSecretPost(svc.fixture.clientSecret));
    expect(result.access_token).toBeTruthy();
  });

  it('issues an access token that passes RFC 9068 validation', async () => {
    const result = await passwordGrant(oauth.ClientSecretBasic(svc.fixture.clientSecret));
    const request = new Request('https://api.example/resource', {
      headers: { authorization: `Bearer ${result.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, 'cxauth-api', insecure);
    expect(claims).toMatchObject({
      iss: svc.config.issuer,
      sub: `user:${svc.fixture.user.id}`,
      client_id: svc.fixture.clientId,
      tenantId: svc.fixture.tenant.id,
    });
  });

  it('refreshes, and validates the new id_token', async () => {
    const first = await passwordGrant(oauth.ClientSecretBasic(svc.fixture.clientSecret));
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(svc.fixture.clientSecret),
      first.refresh_token as string,
      insecure,
    );
    const second = await oauth.processRefreshTokenResponse(as, client, response);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(oauth.getValidatedIdTokenClaims(second)?.sub).toBe(`user:${svc.fixture.user.id}`);
  });

  it('reads userinfo and checks its subject', async () => {
    const result = await passwordGrant(oauth.ClientSecretBasic(svc.fixture.clientSecret));
    const sub = oauth.getValidatedIdTokenClaims(result)?.sub as string;
    const response = await oauth.userInfoRequest(as, client, result.access_token, insecure);
    const info = await oauth.processUserInfoResponse(as, client, sub, response);
    expect(info).toMatchObject({ sub, name: 'user1@example.com', tenantId: svc.fixture.tenant.id });
  });

  it('surfaces the RFC errors as oauth4webapi response errors', async () => {
    const wrong = oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.ClientSecretBasic('wrong'),
      'password',
      { username: svc.fixture.accessKeyId, password: svc.fixture.accessKeySecret },
      insecure,
    );
    // A 401 with a Basic challenge surfaces as oauth4webapi's challenge error.
    const challenge = await oauth
      .processGenericTokenEndpointResponse(as, client, await wrong)
      .catch((e) => e);
    expect(challenge).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]).toMatchObject({ scheme: 'basic' });
    expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });
    const badGrant = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.ClientSecretBasic(svc.fixture.clientSecret),
      'password',
      { username: svc.fixture.accessKeyId, password: 'nope' },
      insecure,
    );
    await expect(oauth.processGenericTokenEndpointResponse(as, client, badGrant)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
