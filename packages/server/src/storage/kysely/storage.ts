// The Kysely implementation of Storage: one set of repositories and migrations for both dialects.
import { type Kysely, sql } from 'kysely';
import type { Storage } from '../storage.js';
import { accessKeyRepository } from './access-keys.js';
import { applicationRepository } from './applications.js';
import { areaRepository } from './areas.js';
import { type Dialect, migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import { sessionRepository } from './sessions.js';
import { signingKeyRepository } from './signing-keys.js';
import { tenantRepository } from './tenants.js';
import { userRepository } from './users.js';

/** Builds the Storage over an open Kysely instance; `close` destroys it (and its pool or file handle). */
export function kyselyStorage(db: Kysely<Database>, dialect: Dialect): Storage {
  return {
    dialect,
    areas: areaRepository(db),
    tenants: tenantRepository(db),
    users: userRepository(db),
    applications: applicationRepository(db),
    accessKeys: accessKeyRepository(db),
    signingKeys: signingKeyRepository(db, dialect),
    sessions: sessionRepository(db, dialect),
    migrate: () => migrateToLatest(db, dialect),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
