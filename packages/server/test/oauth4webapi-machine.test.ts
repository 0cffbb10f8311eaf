// oauth4webapi, an independent strict client, against the machine side over a real socket: its
// discovery processing of both metadata documents (OIDC and RFC 8414), client_credentials, token
// exchange, revocation and introspection.
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { TOKEN_EXCHANGE } from '../src/domain/app-types.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let issuer: URL;
let as: oauth.AuthorizationServer;
let robot: { clientId: string; clientSecret: string };
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
  robot = await svc.addApplication({
    tenantId: svc.fixture.tenant.id,
    grantTypes: ['client_credentials', TOKEN_EXCHANGE],
  });
});
afterAll(async () => svc?.close());

describe('oauth4webapi against the machine side of cxauth', () => {
  it('processes both metadata documents, which are the same', async () => {
    const oauth2 = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    expect(oauth2).toEqual(as);
    expect(as.revocation_endpoint).toBe(`${svc.config.issuer}/auth/revoke`);
    expect(as.introspection_endpoint).toBe(`${svc.config.issuer}/auth/introspect`);
    expect(as.grant_types_supported).toContain('client_credentials');
    expect(as.scopes_supported).toContain('offline_access');
  });

  it('obtains a client_credentials token and introspects it', async () => {
    const client = { client_id: robot.clientId };
    const auth = oauth.ClientSecretBasic(robot.clientSecret);
    const result = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, {}, insecure),
    );
    expect(result.token_type).toBe('bearer');
    expect(result.refresh_token).toBeUndefined();
    const info = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, result.access_token, insecure),
    );
    expect(info).toMatchObject({ active: true, sub: `app:${robot.clientId}`, client_id: robot.clientId });
  });

  it('exchanges a token, then revokes a refresh token and sees both inactive', async () => {
    const client = { client_id: svc.fixture.clientId };
    const auth = oauth.ClientSecretPost(svc.fixture.clientSecret);
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(
        as,
        client,
        auth,
        'password',
        {
          username: svc.fixture.accessKeyId,
          password: svc.fixture.accessKeySecret,
          scope: 'openid offline_access',
        },
        insecure,
      ),
    );
    expect(tokens.refresh_token).toBeTruthy();
    const robotClient = { client_id: robot.clientId };
    const exchanged = await oauth.processGenericTokenEndpointResponse(
      as,
      robotClient,
      await oauth.genericTokenEndpointRequest(
        as,
        robotClient,
        oauth.ClientSecretBasic(robot.clientSecret),
        TOKEN_EXCHANGE,
        {
          subject_token: tokens.access_token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        },
        insecure,
      ),
    );
    expect(exchanged['issued_token_type']).toBe('urn:ietf:params:oauth:token-type:access_token');
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, tokens.refresh_token as string, insecure),
    );
    for (const token of [tokens.access_token, exchanged.access_token, tokens.refresh_token as string]) {
      const info = await oauth.processIntrospectionResponse(
        as,
        client,
        await oauth.introspectionRequest(as, client, auth, token, insecure),
      );
      expect(info.active).toBe(false);
    }
  });
});
