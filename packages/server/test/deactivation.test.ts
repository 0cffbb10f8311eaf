// Deactivation takes effect at once on every node: the real CLI (another process) deactivates an access
// key, a user, a tenant or an application while two nodes sharing the database have them cached (each
// has just served a grant and a refresh for them), and the very next password grant, refresh and
// userinfo on both nodes are refused. Needs the build (`npx tsc -b`, done by `npm test`): it runs
// packages/cli/bin/cxauth.js.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../src/storage/contract/index.js';
import { basic, tokenRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = path.join(ROOT, 'packages/cli/bin/cxauth.js');

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`deactivation.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

/** Runs `cxauth admin …` as its own process on the test database; resolves with its exit code. */
function cxauthAdmin(svc: TestService, dataDir: string, args: string[]) {
  return new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'admin', ...args], {
      env: {
        PATH: process.env['PATH'],
        CXAUTH_DATA_DIR: dataDir,
        CXAUTH_DATABASE_URL: svc.config.databaseUrl,
        CXAUTH_KEK: svc.kek.toString('base64'),
      },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, err }));
  });
}

type Kind = 'key' | 'user' | 'tenant' | 'app';

describe.each([
  ['sqlite', undefined],
  ['postgres', pgMissing],
] as const)('deactivation through the CLI on %s', (dialect, missing) => {
  let svc: TestService;
  let other: { app: FastifyInstance; storage: Storage };
  let dataDir: string;

  beforeAll(async () => {
    if (missing) return;
    svc = await startTestService({ dialect });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-deactivation-'));
    // A second node on the same database, with its own storage and its own caches.
    other = await svc.secondNode();
  });
  afterAll(async () => {
    await svc?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Fresh records for one case, so the cases do not depend on each other. */
  async function records() {
    const tenant = await svc.addTenant();
    const user = await svc.addUser(tenant);
    const key = await svc.addAccessKey(user);
    const client = await svc.addApplication();
    return { tenant, user, key, client };
  }

  it.skipIf(missing !== undefined).each<[Kind, string, number, string]>([
    ['key', 'key', 400, 'invalid_grant'],
    ['user', 'user', 400, 'invalid_grant'],
    ['tenant', 'tenant', 400, 'invalid_grant'],
    ['app', 'application', 401, 'invalid_client'],
  ])(
    '%s: the next grant, refresh and userinfo on both nodes are refused',
    async (kind, _label, status, error) => {
      const { tenant, user, key, client } = await records();
      const headers = { authorization: basic(client.clientId, client.clientSecret) };
      const password = { grant_type: 'password', username: key.id, password: key.secret, scope: 'openid' };
      const nodes = [svc.app, other.app];
      const tokens: { refresh: string; access: string }[] = [];
      for (const node of nodes) {
        // A grant and a refresh on each node: the application and the key with its owner are now cached.
        const granted = await tokenRequest(node, password, headers);
        expect(granted.statusCode, granted.body).toBe(200);
        const refreshed = await tokenRequest(
          node,
          { grant_type: 'refresh_token', refresh_token: granted.json().refresh_token },
          headers,
        );
        expect(refreshed.statusCode, refreshed.body).toBe(200);
        tokens.push({ refresh: refreshed.json().refresh_token, access: refreshed.json().access_token });
      }

      const id = { key: key.id, user: user.id, tenant: tenant.id, app: client.clientId }[kind];
      const cli = await cxauthAdmin(svc, dataDir, [kind, 'deactivate', id]);
      expect(cli.err).toBe('');
      expect(cli.code).toBe(0);

      for (const [i, node] of nodes.entries()) {
        const grant = await tokenRequest(node, password, headers);
        expect([grant.statusCode, grant.json().error], `node ${i} password grant`).toEqual([status, error]);
        const refresh = await tokenRequest(
          node,
          { grant_type: 'refresh_token', refresh_token: tokens[i]?.refresh as string },
          headers,
        );
        expect([refresh.statusCode, refresh.json().error], `node ${i} refresh`).toEqual([status, error]);
        if (kind === 'user' || kind === 'tenant') {
          const info = await node.inject({
            method: 'GET',
            url: '/auth/userinfo',
            headers: { authorization: `Bearer ${tokens[i]?.access}` },
          });
          expect([info.statusCode, info.json().error], `node ${i} userinfo`).toEqual([401, 'invalid_token']);
        }
      }
    },
  );
});
