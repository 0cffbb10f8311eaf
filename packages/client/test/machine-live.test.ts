// The SDK's machine helpers against the real global service over a socket: clientCredentials,
// exchangeToken, introspect and revoke, and their stable error codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { startTestService, type TestService } from '../../server/test/support/service.js';
import {
  clientCredentials,
  createClient,
  decodeJwt,
  exchangeToken,
  introspect,
  type MachineOptions,
  revoke,
} from '../src/index.js';
import { failure } from './support/failure.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
let svc: TestService;
let robot: MachineOptions;
let user: MachineOptions;

beforeAll(async () => {
  const port = await freePort();
  svc = await startTestService({ issuer: `http://127.0.0.1:${port}` });
  await svc.app.listen({ host: '127.0.0.1', port });
  const app = await svc.addApplication({
    tenantId: svc.fixture.tenant.id,
    grantTypes: ['client_credentials', TOKEN_EXCHANGE],
  });
  robot = { issuer: svc.config.issuer, clientId: app.clientId, clientSecret: app.clientSecret };
  user = {
    issuer: svc.config.issuer,
    clientId: svc.fixture.clientId,
    clientSecret: svc.fixture.clientSecret,
  };
});
afterAll(async () => svc?.close());

const userTokens = () =>
  createClient({
    ...user,
    accessKeyId: svc.fixture.accessKeyId,
    accessKeySecret: svc.fixture.accessKeySecret,
  }).token();

describe('machine helpers against a live server', () => {
  it("clientCredentials returns the application's own token, which introspects active", async () => {
    const res = await clientCredentials(robot);
    expect(res.refresh_token).toBeUndefined();
    expect(decodeJwt(res.access_token).payload['sub']).toBe(`app:${robot.clientId}`);
    const info = await introspect({ ...robot, token: res.access_token });
    expect(info).toMatchObject({ active: true, client_id: robot.clientId, tenantId: svc.fixture.tenant.id });
  });

  it('exchangeToken gives this application a token for the same user; revoke ends both', async () => {
    const tokens = await userTokens();
    const exchanged = await exchangeToken({ ...robot, subjectToken: tokens.accessToken });
    expect(exchanged.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(decodeJwt(exchanged.access_token).payload['sub']).toBe(`user:${svc.fixture.user.id}`);
    await revoke({ ...user, token: tokens.refreshToken as string, tokenTypeHint: 'refresh_token' });
    expect((await introspect({ ...robot, token: exchanged.access_token })).active).toBe(false);
    // Revoking again, or an unknown token, succeeds (RFC 7009 §2.2).
    await revoke({ ...user, token: 'unknown' });
  });

  it('maps refusals to stable codes, and revokes an application token', async () => {
    expect((await failure(clientCredentials(user))).code).toBe('token_request_failed');
    expect((await failure(clientCredentials(user))).error).toBe('unauthorized_client');
    expect((await failure(clientCredentials({ ...robot, clientSecret: 'wrong' }))).code).toBe(
      'invalid_client',
    );
    expect((await failure(exchangeToken({ ...robot, subjectToken: 'a.b.c' }))).error).toBe('invalid_request');
    expect((await failure(introspect({ ...robot, clientSecret: 'wrong', token: 'x' }))).code).toBe(
      'invalid_client',
    );
    // An application's own token is revoked by its jti, then inactive (docs/endpoints.md).
    const appToken = (await clientCredentials(robot)).access_token;
    expect((await introspect({ ...robot, token: appToken })).active).toBe(true);
    await revoke({ ...robot, token: appToken });
    expect((await introspect({ ...robot, token: appToken })).active).toBe(false);
  });
});
