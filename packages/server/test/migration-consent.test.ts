// Migration 0010 on a database from before first-party applications: the console and the
// all-tenant applications that held `admin` become first-party (only operators could register
// those), and a single-tenant application that held `admin` (perhaps an Administrator's) loses it.
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { initial } from '../src/storage/kysely/migrations/0001_initial.js';
import { revision } from '../src/storage/kysely/migrations/0002_revision.js';
import { appTypes } from '../src/storage/kysely/migrations/0003_app_types.js';
import { throttlingAudit } from '../src/storage/kysely/migrations/0004_throttling_audit.js';
import { signingKeyStates } from '../src/storage/kysely/migrations/0005_signing_key_states.js';
import { revocationFeed } from '../src/storage/kysely/migrations/0006_revocation_feed.js';
import { signIn } from '../src/storage/kysely/migrations/0007_sign_in.js';
import { refreshGrace } from '../src/storage/kysely/migrations/0008_refresh_grace.js';
import { admin } from '../src/storage/kysely/migrations/0009_admin.js';
import type { AnyDb } from '../src/storage/kysely/migrations/any-db.js';
import { openStorage, sqlitePath } from '../src/storage/open.js';
import { tempSqlite } from './support/storage-db.js';

describe('migration 0010 (sqlite)', () => {
  it('marks the console and operators’ admin apps first-party, and takes admin from single-tenant apps', async () => {
    const db = tempSqlite();
    const kysely: AnyDb = new Kysely({
      dialect: new SqliteDialect({ database: new Sqlite(sqlitePath(db.url)) }),
    });
    const before = {
      '0001_initial': initial('sqlite'),
      '0002_revision': revision(),
      '0003_app_types': appTypes(),
      '0004_throttling_audit': throttlingAudit(),
      '0005_signing_key_states': signingKeyStates(),
      '0006_revocation_feed': revocationFeed(),
      '0007_sign_in': signIn('sqlite'),
      '0008_refresh_grace': refreshGrace(),
      '0009_admin': admin('sqlite'),
    };
    const migrator = new Migrator({ db: kysely, provider: { getMigrations: async () => before } });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const t = { created_at: 1, updated_at: 1 };
    await kysely
      .insertInto('areas')
      .values({
        name: 'na1',
        domain: 'd',
        acd_domain: 'd',
        uh_domain: 'd',
        ui_endpoint: 'u',
        auth_endpoint: 'a',
        api_endpoint: 'p',
        created_at: 1,
      })
      .execute();
    await kysely
      .insertInto('tenants')
      .values({
        id: 't1',
        name: 'acme',
        area: 'na1',
        cluster: 'B32',
        business_unit_id: 1,
        cluster_id: 'DO31',
        is_private: 0,
        status: 'active',
        ...t,
      })
      .execute();
    const app = (id: string, tenant: string | null, scopes: string[]) => ({
      client_id: id,
      secret_hash: Buffer.alloc(32, 1),
      name: id,
      origins: '[]',
      grant_types: '["password","refresh_token"]',
      redirect_uris: '[]',
      scopes: JSON.stringify(scopes),
      tenancy: tenant === null ? 'all' : 'single',
      tenant_id: tenant,
      status: 'active',
      ...t,
    });
    await kysely
      .insertInto('applications')
      .values([
        app('cxauth-console', null, ['openid', 'admin']),
        app('operators-backend', null, ['openid', 'admin']),
        app('plain-all', null, ['openid']),
        app('administrators-app', 't1', ['openid', 'admin', 'profile']),
        app('plain-one', 't1', ['openid']),
      ])
      .execute();
    await kysely.destroy();

    const storage = await openStorage(db.url);
    try {
      await storage.migrate();
      const get = async (id: string) => {
        const a = await storage.applications.get(id);
        return { firstParty: a?.firstParty, scopes: a?.scopes };
      };
      expect(await get('cxauth-console')).toEqual({ firstParty: true, scopes: ['openid', 'admin'] });
      expect(await get('operators-backend')).toEqual({ firstParty: true, scopes: ['openid', 'admin'] });
      expect(await get('plain-all')).toEqual({ firstParty: false, scopes: ['openid'] });
      expect(await get('administrators-app')).toEqual({ firstParty: false, scopes: ['openid', 'profile'] });
      expect(await get('plain-one')).toEqual({ firstParty: false, scopes: ['openid'] });
      expect(await storage.consents.listByUser('nobody')).toEqual([]);
    } finally {
      await storage.close();
      await db.drop();
    }
  });
});
