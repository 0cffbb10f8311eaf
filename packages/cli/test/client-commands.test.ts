// The client commands of the built `cxauth` against a real `cxauth serve --demo` (global service and
// the na1 API) on free ports: the demo credentials file, the whole flow, profiles, and exit codes.
// Needs the build (`npx tsc -b`, done by `npm test`): it runs packages/cli/bin/cxauth.js.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServe } from './support/demo-serve.js';

const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
const SERVER_TIME_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

const demo = demoServe('cxauth-client-commands-');
const { tmp, dataDir, cxauth } = demo;
let issuer: string;
let apiEndpoint: string;

beforeAll(async () => {
  await demo.start();
  ({ issuer, apiEndpoint } = demo);
});

afterAll(() => demo.close());

describe('client commands against cxauth serve --demo', () => {
  it('reads $CXAUTH_DATA_DIR/demo-credentials.json when no credentials are given, and calls the API', async () => {
    const r = await cxauth(['api', 'GET', SERVER_TIME]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
  });

  it('discover, token, decode and tenant walk the reference steps', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const discovery = await cxauth(['discover', '--json', '--issuer', issuer]);
    expect(JSON.parse(discovery.out).token_endpoint).toBe(`${issuer}/auth/token`);

    const token = await cxauth([
      'token',
      '--json',
      '--demo-credentials',
      path.join(dataDir, 'demo-credentials.json'),
    ]);
    expect(token.code).toBe(0);
    const response = JSON.parse(token.out);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid' });

    const summary = await cxauth(['token']);
    expect(summary.out).toMatch(new RegExp(`tenantId\\s+${demo.tenantId}`));
    for (const secret of [demo.client_secret, demo.accessKeySecret, response.access_token.slice(0, 40)]) {
      expect(summary.out).not.toContain(secret);
    }

    const decoded = await cxauth(['decode', '-', '--json'], {}, response.access_token);
    expect(JSON.parse(decoded.out)).toMatchObject({
      header: { alg: 'RS256', typ: 'at+jwt' },
      payload: { iss: issuer, tenantId: demo.tenantId, client_id: demo.client_id },
      signature_verified: false,
    });

    const tenant = await cxauth(['tenant', '--json']);
    expect(JSON.parse(tenant.out)).toMatchObject({
      tenantId: demo.tenantId,
      area: 'na1',
      api_endpoint: apiEndpoint,
    });
  });

  it('CXONE_* variables work as aliases, and --save-profile / --profile round-trip with mode 0600', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const cxone = {
      CXAUTH_DATA_DIR: path.join(tmp, 'nowhere'),
      CXONE_ISSUER: issuer,
      CXONE_CLIENT_ID: demo.client_id,
      CXONE_CLIENT_SECRET: demo.client_secret,
      CXONE_ACCESS_KEY_ID: demo.accessKeyId,
      CXONE_ACCESS_KEY_SECRET: demo.accessKeySecret,
    };
    const saved = await cxauth(['token', '--save-profile', 'demo'], cxone);
    expect(saved.code).toBe(0);
    const file = path.join(tmp, '.config', 'cxauth', 'profiles', 'demo.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const viaProfile = await cxauth(['api', 'GET', SERVER_TIME, '--profile', 'demo'], {
      CXAUTH_DATA_DIR: path.join(tmp, 'nowhere'),
    });
    expect(viaProfile.code).toBe(0);
    expect(JSON.parse(viaProfile.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
  });

  it('exit 1 when the application or the access key is refused, or the tenant is unknown', async () => {
    // Flags win over --demo-credentials field by field (the implicit demo file is only used alone,
    // so it never completes credentials meant for another issuer).
    const demoFile = path.join(dataDir, 'demo-credentials.json');
    const wrongApp = await cxauth([
      'token',
      '--demo-credentials',
      demoFile,
      '--client-secret',
      'wrong-secret',
    ]);
    expect(wrongApp.code).toBe(1);
    expect(wrongApp.err).toMatch(/client_id and client_secret.*\[invalid_client\]/);
    expect(wrongApp.err).not.toContain('wrong-secret');

    const wrongKey = await cxauth([
      'token',
      '--json',
      '--demo-credentials',
      demoFile,
      '--access-key-secret',
      'AAAA====',
    ]);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.out).error).toMatchObject({ code: 'invalid_grant', error: 'invalid_grant' });

    const unknown = await cxauth(['tenant', '--tenant-id', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/\[tenant_not_found\]/);
  });

  it('exit 2 for usage errors, exit 3 once the server is down', async () => {
    expect((await cxauth(['api', 'GET'])).code).toBe(2);
    // Partial credentials do not silently borrow the rest from the implicit demo file.
    expect((await cxauth(['token', '--client-secret', 'x'])).code).toBe(2);
    expect((await cxauth(['token', '--issuer', 'nowhere'])).code).toBe(2);
    await demo.stop();
    const down = await cxauth(['token']);
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/could not reach 127\.0\.0\.1:\d+.*\[network\]/);
  });
});
