// The Kysely implementation of Storage: one set of repositories and migrations for both dialects. A new
// aggregate is one line here (and one in schema.ts).
import { type Kysely, sql } from 'kysely';
import { DATABASE_TIMEOUT_DEFAULTS, type DatabaseTimeouts } from '../../config/storage.js';
import type { PoolStats, Storage } from '../contract/index.js';
import { StorageUnavailableError } from '../errors.js';
import { accessKeyRepository } from './access-keys/repository.js';
import { activityRepository } from './activity/queries.js';
import { applicationRepository } from './applications/repository.js';
import { areaRepository } from './areas/repository.js';
import { auditEventRepository } from './audit-events/repository.js';
import { consentRepository } from './consents/repository.js';
import { deviceAuthorizationRepository } from './device-authorizations/repository.js';
import { dpopProofRepository } from './dpop-proofs/repository.js';
import { identityProviderRepository } from './identity-providers/repository.js';
import { mailTemplateRepository } from './mail-templates/repository.js';
import { migrateToLatest } from './migrations/index.js';
import { passkeyRepository } from './passkeys/repository.js';
import { peopleRepository } from './people/repository.js';
import { purgeRepository } from './purge/repository.js';
import { revisionReader } from './revision/queries.js';
import { revocationRepository } from './revocations/repository.js';
import type { Dialect } from './rows.js';
import type { Database } from './schema.js';
import { scimRepository } from './scim/repository.js';
import { sessionRepository } from './sessions/repository.js';
import { settingsRepository } from './settings/repository.js';
import { signInRepository } from './sign-in/repository.js';
import { signingKeyRepository } from './signing-keys/repository.js';
import { tenantRepository } from './tenants/repository.js';
import { throttleRepository } from './throttle/repository.js';
import { unitOfWork } from './unit-of-work.js';
import { userRepository } from './users/repository.js';
import { webhookRepository } from './webhooks/repository.js';

/**
 * Resolves when `ping` does, or throws StorageUnavailableError after `ms`: readiness must answer within
 * the timeouts even if a driver wait were unbounded.
 */
async function bounded(ping: Promise<unknown>, ms: number, retryAfter: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailableError('no answer in time', retryAfter)), ms);
  });
  try {
    await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the Storage over an open Kysely instance; `close` destroys it (and its pool or file handle). */
export function kyselyStorage(
  root: Kysely<Database>,
  dialect: Dialect,
  timeouts: DatabaseTimeouts = DATABASE_TIMEOUT_DEFAULTS,
  pool?: () => PoolStats,
): Storage {
  const pingBound = timeouts.connectTimeoutMs + timeouts.statementTimeoutMs;
  // Every repository queries through the unit of work's stand-in (unit-of-work.ts).
  const { db, atomically, afterCommit } = unitOfWork(root, dialect);
  return {
    dialect,
    ...(pool ? { pool } : {}),
    areas: areaRepository(db),
    tenants: tenantRepository(db),
    users: userRepository(db),
    applications: applicationRepository(db),
    accessKeys: accessKeyRepository(db),
    signingKeys: signingKeyRepository(db, dialect, atomically),
    sessions: sessionRepository(db, dialect, timeouts.inDoubtWaitMs),
    throttle: throttleRepository(db),
    auditEvents: auditEventRepository(db),
    activity: activityRepository(db),
    purge: purgeRepository(db, dialect),
    signIn: signInRepository(db),
    consents: consentRepository(db),
    revocations: revocationRepository(db),
    settings: settingsRepository(db),
    deviceAuthorizations: deviceAuthorizationRepository(db),
    dpopProofs: dpopProofRepository(db),
    passkeys: passkeyRepository(db),
    scim: scimRepository(db),
    identityProviders: identityProviderRepository(db),
    webhooks: webhookRepository(db, dialect),
    people: peopleRepository(db, dialect),
    mailTemplates: mailTemplateRepository(db),
    revision: revisionReader(db),
    atomically,
    afterCommit,
    migrate: () => migrateToLatest(root, dialect),
    ping: () => bounded(sql`select 1`.execute(root), pingBound, timeouts.retryAfterSeconds),
    close: () => root.destroy(),
  };
}
