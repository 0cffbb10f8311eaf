// Where the client commands of the built `cxauth` take credentials from, against a real
// `cxauth serve --demo` on free ports: a profile saved by a sign-in does not hide the demo file, the
// signed-in token and an application's own token call the API (`cxauth api --profile`,
// `--client-credentials`, with `--dpop` too), `--grant` short names, and a failure that says where it looked (no secret).
// Needs the build (`npx tsc -b`, done by `npm test`): it runs packages/cli/bin/cxauth.js.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughPage } from '../../../test/support/hosted-sign-in.js';
import { demoServe } from './support/demo-serve.js';

const SERVER_TIME = '/inContactAPI/services/v25.0/server-time';
const SERVER_TIME_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

const demo = demoServe('cxauth-credentials-');
const { tmp, dataDir, cxauth } = demo;
let issuer: string;

beforeAll(async () => {
  await demo.start();
  ({ issuer } = demo);
});

afterAll(() => demo.close());

/** Signs the demo user in through the hosted page with the demo's public app, as `cxauth login` does. */
async function signedInProfile(): Promise<Record<string, string>> {
  const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
  const redirectUri = 'http://127.0.0.1:9/callback';
  const { code, verifier } = await signInThroughPage({
    issuer,
    clientId: demo.public_client_id,
    redirectUri,
    username: demo.username,
    password: demo.password,
    scope: 'openid profile offline_access',
  });
  const res = await fetch(`${issuer}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: demo.public_client_id,
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    }),
  });
  expect(res.status).toBe(200);
  const tokens = (await res.json()) as Record<string, string | number>;
  // The fields `cxauth login` writes (packages/cli/src/commands/login.ts).
  return {
    issuer,
    login_client_id: demo.public_client_id,
    access_token: String(tokens['access_token']),
    refresh_token: String(tokens['refresh_token']),
    access_token_expires_at: new Date(Date.now() + Number(tokens['expires_in']) * 1000).toISOString(),
  };
}

function writeProfileAt(home: string, name: string, profile: Record<string, string>) {
  const dir = path.join(home, '.config', 'cxauth', 'profiles');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(profile), { mode: 0o600 });
}

describe('credential sources of the client commands', () => {
  it('after a sign-in saved as the default profile, bare `cxauth token` still uses the demo file', async () => {
    writeProfileAt(tmp, 'default', await signedInProfile());
    const bare = await cxauth(['token', '--json']);
    expect(bare.code, bare.err).toBe(0);
    expect(JSON.parse(bare.out).access_token).toEqual(expect.any(String));
    const demoFile = path.join(dataDir, 'demo-credentials.json');
    const explicit = await cxauth(['token', '--demo-credentials', demoFile], {
      CXAUTH_DATA_DIR: path.join(tmp, 'none'),
    });
    expect(explicit.code, explicit.err).toBe(0);
  });

  it('`cxauth api --profile NAME` calls the API with the signed-in token alone', async () => {
    const home = path.join(tmp, 'home-me');
    writeProfileAt(home, 'me', await signedInProfile());
    // No demo file, no application secret, no access key: only the saved sign-in can call.
    const alone = { HOME: home, CXAUTH_DATA_DIR: path.join(tmp, 'none') };
    const r = await cxauth(['api', 'GET', SERVER_TIME, '--profile', 'me'], alone);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
    // The saved token is never sent to the APIs of another issuer.
    const elsewhere = await cxauth(
      ['api', 'GET', SERVER_TIME, '--profile', 'me', '--issuer', 'http://127.0.0.1:9'],
      alone,
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.err).toContain(`holds a sign-in at ${issuer}`);
  });

  it('`cxauth api --client-credentials` calls the API as the application; --grant takes short names', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const made = await cxauth([
      'admin',
      'app',
      'create',
      '--name',
      'robot',
      '--type',
      'backend',
      '--tenant',
      demo.tenantId,
      '--grant',
      'client-credentials',
      '--grant',
      'token-exchange',
      '--json',
    ]);
    expect(made.code, made.err).toBe(0);
    const app = JSON.parse(made.out);
    expect(app.grant_types).toEqual([
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ]);
    const robot = {
      HOME: path.join(tmp, 'home-robot'),
      CXAUTH_DATA_DIR: path.join(tmp, 'none'),
      CXAUTH_ISSUER: issuer,
      CXAUTH_CLIENT_ID: app.client_id,
      CXAUTH_CLIENT_SECRET: app.client_secret,
    };
    const r = await cxauth(['api', 'GET', SERVER_TIME, '--client-credentials'], robot);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
    // --dpop: the application's token bound to a key of this call, proved on the regional API.
    const bound = await cxauth(['api', 'GET', SERVER_TIME, '--client-credentials', '--dpop'], robot);
    expect(bound.code, bound.err).toBe(0);
    expect(JSON.parse(bound.out).ServerTime).toMatch(SERVER_TIME_FORMAT);
    // Without --client-credentials the same credentials lack an access key, and say where they looked.
    const without = await cxauth(['api', 'GET', SERVER_TIME], robot);
    expect(without.code).toBe(2);
    expect(without.err).toContain('missing --access-key-id, --access-key-secret');
  });

  it('a missing credential names every place looked at, in order, and never a value', async () => {
    const home = path.join(tmp, 'home-looked');
    writeProfileAt(home, 'default', {
      issuer: 'http://127.0.0.1:9',
      client_id: 'someone-else',
      client_secret: 'a-secret-that-must-not-be-printed',
    });
    const r = await cxauth(['token', '--issuer', issuer, '--client-id', 'given'], {
      HOME: home,
      CXAUTH_CLIENT_SECRET: 'env-secret-never-printed',
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing --access-key-id, --access-key-secret; looked in, in this order:');
    expect(r.err).toContain('1. flags (--issuer, --client-id, …): gave issuer, client-id');
    expect(r.err).toContain('2. --demo-credentials FILE: not given');
    expect(r.err).toContain('3. CXAUTH_* / CXONE_* variables: gave client-secret');
    expect(r.err).toContain(
      `4. profile default (${path.join(home, '.config/cxauth/profiles/default.json')}): ignored: for another issuer (http://127.0.0.1:9)`,
    );
    expect(r.err).toContain('5. demo file');
    expect(r.err).toContain('not used (credentials were given by 1-3)');
    expect(r.err).not.toContain('never-printed');
    expect(r.err).not.toContain('must-not-be-printed');
  });
});
