// Several `cxauth serve` processes on one PostgreSQL database (docs/operations.md, "Running several
// nodes"): a node that starts later never rewrites what the first made (the area na1, the applications,
// the console's redirect URIs, added to and never replaced), and one configured with another issuer
// says so at start and in /readyz. Uses the build made by `npm test`.
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pgUnavailable,
  type TestDatabase,
  tempPostgres,
} from '../packages/server/test/support/storage-db.js';
import { cliProcesses, type Running, stop, waitReady } from './support/cli-processes.js';
import { freePort } from './support/ports.js';

const pgReason = await pgUnavailable();
if (pgReason) console.log(`several-nodes.test.ts skipped: ${pgReason}`);

const kek = crypto.randomBytes(32).toString('base64');
const temps: string[] = [];
let db: TestDatabase;
const cli = cliProcesses(() => ({ ...process.env, CXAUTH_LOG_FORMAT: 'json' }));

afterAll(async () => {
  await cli.stopAll();
  await db?.drop();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** What start-up could rewrite: every area and application row as stored. */
async function snapshot(): Promise<{ areas: unknown[]; apps: Record<string, unknown>[] }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const areas = (await client.query('select * from areas order by name')).rows;
    const apps = (
      await client.query(
        'select client_id, name, type, origins, grant_types, redirect_uris, post_logout_redirect_uris, ' +
          'scopes, status, updated_at from applications order by client_id',
      )
    ).rows;
    return { areas, apps };
  } finally {
    await client.end();
  }
}

/** A node's environment: the shared database and KEK, its own port and data folder. */
async function nodeEnv(issuer: string | undefined) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-nodes-'));
  temps.push(dir);
  const env = {
    CXAUTH_DATABASE_URL: db.url,
    CXAUTH_DATA_DIR: dir,
    CXAUTH_KEK: kek,
    CXAUTH_PORT: String(port),
    CXAUTH_API_PORT: String(await freePort()),
    // Unset: the node's own URL, as a user who follows the quick start gets.
    CXAUTH_ISSUER: issuer ?? '',
  };
  return { env, url: `http://127.0.0.1:${port}` };
}

/**
 * Starts `cxauth serve --demo` (the first node: the global service and na1's API) or, for later nodes
 * on this host, `cxauth serve auth --demo` (na1's API port is the first node's).
 */
async function node(
  issuer?: string,
  args = ['serve', 'auth', '--demo'],
): Promise<{ proc: Running; url: string }> {
  const { env, url } = await nodeEnv(issuer);
  const proc = cli.start(args, env);
  await waitReady(`${url}/readyz`, proc);
  return { proc, url };
}

const consoleAuthorize = (base: string, issuer: string) =>
  `${base}/auth/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: 'cxauth-console',
    redirect_uri: `${issuer}/console/callback`,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 's',
  })}`;

describe.skipIf(pgReason !== undefined)('several nodes on one PostgreSQL database', () => {
  let first: { proc: Running; url: string };
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    db = await tempPostgres();
    first = await node(undefined, ['serve', '--demo']);
    before = await snapshot();
  }, 90_000);

  it('a node with its own issuer changes nothing, and says its issuer differs', async () => {
    const second = await node();
    try {
      const after = await snapshot();
      // The area na1 still sends the first node's tenants to its own API.
      expect(after.areas).toEqual(before.areas);
      const console = (s: typeof before) => s.apps.find((a) => a['client_id'] === 'cxauth-console');
      const others = (s: typeof before) => s.apps.filter((a) => a['client_id'] !== 'cxauth-console');
      expect(others(after)).toEqual(others(before));
      // The console keeps the first node's redirect URI and gains the second's.
      expect(JSON.parse(String(console(after)?.['redirect_uris']))).toEqual([
        `${first.url}/console/callback`,
        `${second.url}/console/callback`,
      ]);
      // The first node's console still signs in: its redirect URI is registered.
      const page = await fetch(consoleAuthorize(first.url, first.url), { redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain('not registered');

      const warning = second.proc.output.join('');
      expect(warning).toContain(`this node's issuer ${second.url} differs from the issuer recorded`);
      expect(warning).toContain(first.url);
      expect(warning).toContain('Set one CXAUTH_ISSUER for every node');
      const ready = await (await fetch(`${second.url}/readyz`)).json();
      expect(ready).toEqual({
        status: 'ok',
        checks: {
          database: 'ok',
          issuer: { status: 'differs', configured: second.url, recorded: first.url },
        },
      });
      expect((await (await fetch(`${first.url}/readyz`)).json()).checks.issuer).toEqual({ status: 'same' });
    } finally {
      await stop(second.proc);
    }
  }, 90_000);

  it('a second `cxauth serve` on this host names the area whose API port is taken, and what to run', async () => {
    const { env } = await nodeEnv(undefined);
    const proc = cli.start(['serve'], env);
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(1);
    const out = proc.output.join('');
    expect(out).toContain('the API port of area na1');
    expect(out).toContain('cxauth serve auth');
  }, 60_000);

  it('a database that does not exist is named, with the command that creates it', async () => {
    const { env } = await nodeEnv(undefined);
    const missing = new URL(db.url);
    missing.pathname = `/cxauth_missing_${crypto.randomBytes(4).toString('hex')}`;
    const name = missing.pathname.slice(1);
    const proc = cli.start(['serve', 'auth'], { ...env, CXAUTH_DATABASE_URL: missing.href });
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(1);
    const out = proc.output.join('');
    expect(out).toContain(`the PostgreSQL database "${name}" named in CXAUTH_DATABASE_URL does not exist`);
    expect(out).toContain(`createdb ${name}`);
    expect(out).not.toContain('cannot connect');
  }, 60_000);

  it('a node with the shared issuer changes nothing and warns of nothing', async () => {
    const mid = await snapshot();
    const third = await node(first.url);
    try {
      expect(await snapshot()).toEqual(mid);
      expect(third.proc.output.join('')).not.toContain('differs from the issuer recorded');
      expect((await (await fetch(`${third.url}/readyz`)).json()).checks.issuer).toEqual({ status: 'same' });
      // Tokens of one node are accepted by the other: one issuer, one key set.
      const jwksA = await (await fetch(`${first.url}/auth/jwks`)).json();
      const jwksC = await (await fetch(`${third.url}/auth/jwks`)).json();
      expect(jwksC).toEqual(jwksA);
    } finally {
      await stop(third.proc);
    }
  }, 90_000);
});
