// The PostgreSQL variant's database: a fresh one on 127.0.0.1:5432, created for the run and dropped after it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URLS = ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://postgres@127.0.0.1:5432/test'];

async function adminClient() {
  let last;
  for (const url of ADMIN_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      return { client, url };
    } catch (err) {
      last = err;
      await client.end().catch(() => {});
    }
  }
  throw new Error(`PostgreSQL at 127.0.0.1:5432 is not reachable (${last?.code ?? last?.message})`);
}

/** Creates `cxauth_bench_<random>`; returns its URL and a `drop()` that removes it (connections and all). */
export async function createDatabase() {
  const name = `cxauth_bench_${randomBytes(6).toString('hex')}`;
  const { client } = await adminClient();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const admin = (await adminClient()).client;
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch {
        // PostgreSQL < 13 has no FORCE: end the sessions, then drop.
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          name,
        ]);
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await admin.end();
      }
    },
  };
}
