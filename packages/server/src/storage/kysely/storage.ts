// The Kysely implementation of Storage: one set of repositories and migrations for both dialects. A new
// aggregate is one line here (and one in schema.ts).
import { type Kysely, sql } from 'kysely';
import type { Storage } from '../contract/index.js';
import { accessKeyRepository } from './access-keys/repository.js';
import { applicationRepository } from './applications/repository.js';
import { areaRepository } from './areas/repository.js';
import { migrateToLatest } from './migrations/index.js';
import { revisionReader } from './revision/queries.js';
import { revocationRepository } from './revocations/repository.js';
import type { Dialect } from './rows.js';
import type { Database } from './schema.js';
import { sessionRepository } from './sessions/repository.js';
import { signingKeyRepository } from './signing-keys/repository.js';
import { tenantRepository } from './tenants/repository.js';
import { userRepository } from './users/repository.js';

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
    revocations: revocationRepository(db),
    revision: revisionReader(db),
    migrate: () => migrateToLatest(db, dialect),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
