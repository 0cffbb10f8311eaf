// The reference document's exchange, step by step, with its own example values (support/
// reference-vectors.json): in-process for the exact vectors, then over real sockets through an
// area's API server.
import { readFileSync } from 'node:fs';
import { createRegionalServer } from '@cxauth/regional';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import type { Area, Tenant, User } from '../src/domain/types.js';
import { startTestService, TEST_ISSUER, type TestService } from './support/service.js';
import * as make from './support/storage-factories.js';

const V = JSON.parse(readFileSync(new URL('./support/reference-vectors.json', import.meta.url), 'utf8'));
const REF = V.accessTokenPayload;

/** Seeds the reference document's records: its tenant, user, application, access key and area. */
async function seedReference(
  svc: TestService,
  area: Partial<Area> = {},
): Promise<{ tenant: Tenant; user: User }> {
  const r = V.tenantDiscovery.response;
  await svc.storage.areas.upsert(
    make.area({
      name: r.area,
      domain: r.domain,
      acdDomain: r.acdDomain,
      uhDomain: r.uhDomain,
      uiEndpoint: r.ui_endpoint,
      authEndpoint: r.auth_endpoint,
      apiEndpoint: r.api_endpoint,
      ...area,
    }),
  );
  const tenant = await svc.addTenant({
    id: REF.tenantId,
    name: REF.tenant,
    area: r.area,
    cluster: r.cluster,
    businessUnitId: REF.icBUId,
    clusterId: REF.icClusterId,
    private: r.private,
  });
  const user = await svc.addUser(tenant, {
    id: REF.sub.slice('user:'.length),
    email: REF.name,
    givenName: REF.given_name,
    familyName: REF.family_name,
    role: REF.role,
  });
  await svc.storage.applications.create(
    make.application({
      clientId: V.clientPassword.client_id,
      secretHash: svc.hasher.hash(V.clientPassword.client_secret),
    }),
  );
  await svc.storage.accessKeys.create(
    make.accessKey(user, {
      id: V.accessKey.accessKeyId,
      secretHash: svc.hasher.hash(V.accessKey.accessKeySecret),
    }),
  );
  return { tenant, user };
}

describe('the reference exchange, in-process, with its example values', () => {
  let svc: TestService;
  beforeAll(async () => {
    // The reference token's audience, so that every claim but `iss` can be compared as is.
    svc = await startTestService({ env: { CXAUTH_AUDIENCE: REF.aud } });
    await seedReference(svc);
    svc.clock.current = new Date(REF.iat * 1000);
  });
  afterAll(async () => svc?.close());

  it('builds the client password as RFC 6749 §2.3.1 says (not the base64 the reference prints)', () => {
    const { client_id, client_secret, joined, base64, referenceShowsWrongly } = V.clientPassword;
    expect(`${client_id}:${client_secret}`).toBe(joined);
    expect(Buffer.from(joined).toString('base64')).toBe(base64);
    expect(Buffer.from(referenceShowsWrongly.base64, 'base64').toString()).toBe(
      referenceShowsWrongly.decodesTo,
    );
  });

  it('urlencodes the access key as the reference shows (qwer==== → qwer%3D%3D%3D%3D)', () => {
    const { accessKeyId, accessKeySecret, payload } = V.accessKey;
    expect(encodeURIComponent(accessKeyId)).toBe('qwer%3D%3D%3D%3D');
    expect(
      `grant_type=password&username=${encodeURIComponent(accessKeyId)}&password=${encodeURIComponent(accessKeySecret)}`,
    ).toBe(payload);
  });

  it('runs discovery → token → tenant discovery with the exact requests of the reference', async () => {
    // Step 3: discovery, asked under the reference's Host; the issuer stays the configured one.
    const discovery = await svc.app.inject({
      method: 'GET',
      url: V.discoveryRequest.path,
      headers: { host: V.discoveryRequest.host },
    });
    expect(discovery.statusCode).toBe(200);
    const doc = discovery.json();
    for (const field of V.discoveryFieldsUsed) expect(doc).toHaveProperty(field);
    expect(doc.issuer).toBe(TEST_ISSUER);
    const tokenPath = new URL(doc.token_endpoint).pathname;
    expect(tokenPath).toBe(V.tokenRequest.path);

    // Step 4: the token request, byte for byte.
    const token = await svc.app.inject({
      method: 'POST',
      url: tokenPath,
      headers: {
        'content-type': V.tokenRequest.contentType,
        authorization: `Basic ${V.clientPassword.base64}`,
      },
      payload: V.accessKey.payload,
    });
    expect(token.statusCode).toBe(200);
    const body = token.json();
    for (const field of V.tokenResponseFields) expect(body).toHaveProperty(field);
    expect(body).toMatchObject(V.tokenResponseValues);

    // Step 5: the tenant id, read by base64url-decoding the payload locally.
    const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString('utf8'));
    expect(payload).toEqual({
      ...REF,
      iss: TEST_ISSUER,
      client_id: 'NICE',
      jti: expect.any(String),
      scope: 'openid',
      sid: expect.any(String),
      area: 'na1',
    });

    // Step 6: tenant discovery answers the reference's document exactly.
    const tenant = await svc.app.inject({
      method: 'GET',
      url: `/.well-known/cxone-configuration?tenantId=${payload.tenantId}`,
    });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.body).toBe(JSON.stringify(V.tenantDiscovery.response));
  });
});

describe('the reference exchange over real sockets, through the area API', () => {
  let svc: TestService;
  let api: FastifyInstance;
  let apiEndpoint: string;
  beforeAll(async () => {
    const [port, apiPort] = [await freePort(), await freePort()];
    apiEndpoint = `http://127.0.0.1:${apiPort}`;
    svc = await startTestService({ issuer: `http://127.0.0.1:${port}` });
    await seedReference(svc, { apiEndpoint });
    await svc.app.listen({ host: '127.0.0.1', port });
    api = await createRegionalServer({ area: 'na1', issuer: svc.config.issuer });
    await api.listen({ host: '127.0.0.1', port: apiPort });
  });
  afterAll(async () => {
    await api?.close();
    await svc?.close();
  });

  it('gets a token, finds the api_endpoint, and calls server-time with a lower-case bearer', async () => {
    const doc = await (await fetch(`${svc.config.issuer}${V.discoveryRequest.path}`)).json();
    const token = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': V.tokenRequest.contentType,
        authorization: `Basic ${V.clientPassword.base64}`,
      },
      body: V.accessKey.payload,
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    const { access_token } = await token.json();
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString());
    const tenant = await (
      await fetch(`${svc.config.issuer}/.well-known/cxone-configuration?tenantId=${claims.tenantId}`)
    ).json();
    expect(tenant.api_endpoint).toBe(apiEndpoint);
    const time = await fetch(`${tenant.api_endpoint}${V.apiRequest.path}`, {
      headers: { authorization: `${V.apiRequest.authorizationScheme} ${access_token}` },
    });
    expect(time.status).toBe(200);
    const body = await time.json();
    expect(Object.keys(body)).toEqual(Object.keys(V.serverTimeExample));
    expect(body.ServerTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });
});
