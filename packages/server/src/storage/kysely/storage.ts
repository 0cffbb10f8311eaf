// The Kysely implementation of Storage: one set of repositories and migrations for both dialects. A new
// aggregate is one line here (and one in schema.ts).
import { type Kysely, sql } from 'kysely';
import type { PoolStats, Storage } from '../contract/index.js';
import { accessKeyRepository } from './access-keys/repository.js';
import { applicationRepository } from './applications/repository.js';
import { areaRepository } from './areas/repository.js';
import { auditEventRepository } from './audit-events/repository.js';
import { migrateToLatest } from './migrations/index.js';
import { purgeRepository } from './purge/repository.js';
import { revisionReader } from './revision/queries.js';
import type { Dialect } from './rows.js';
import type { Database } from './schema.js';
import { sessionRepository } from './sessions/repository.js';
import { signingKeyRepository } from './signing-keys/repository.js';
import { tenantRepository } from './tenants/repository.js';
import { throttleRepository } from './throttle/repository.js';
import { userRepository } from './users/repository.js';

/** Builds the Storage over an open Kysely instance; `close` destroys it (and its pool or file handle). */
export function kyselyStorage(db: Kysely<Database>, dialect: Dialect, pool?: () => PoolStats): Storage {
  return {
    dialect,
    ...(pool ? { pool } : {}),
    areas: areaRepository(db),
    tenants: tenantRepository(db),
    users: userRepository(db),
    applications: applicationRepository(db),
    accessKeys: accessKeyRepository(db),
    signingKeys: signingKeyRepository(db, dialect),
    sessions: sessionRepository(db, dialect),
    throttle: throttleRepository(db),
    auditEvents: auditEventRepository(db),
    purge: purgeRepository(db, dialect),
    revision: revisionReader(db),
    migrate: () => migrateToLatest(db, dialect),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
