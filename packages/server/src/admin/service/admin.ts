// The admin service: one object over Storage for the CLI and demo seeding, assembled from one module
// per aggregate. Errors are AdminError (not_found, invalid_value, conflict) with one-line messages.

import type { Storage } from '../../storage/contract/index.js';
import type { Hasher } from '../../tokens/refresh-token.js';
import { accessKeyAdmin } from './access-keys.js';
import { applicationAdmin } from './applications.js';
import { areaAdmin } from './areas.js';
import { sessionAdmin } from './sessions.js';
import { tenantAdmin } from './tenants.js';
import { userAdmin } from './users.js';

export type Admin = ReturnType<typeof areaAdmin> &
  ReturnType<typeof tenantAdmin> &
  ReturnType<typeof userAdmin> &
  ReturnType<typeof applicationAdmin> &
  ReturnType<typeof accessKeyAdmin> &
  ReturnType<typeof sessionAdmin>;

/** Builds the admin service; `clock` is injected so tests control every timestamp. */
export function createAdmin(storage: Storage, hasher: Hasher, clock: () => Date = () => new Date()): Admin {
  const ctx = { storage, hasher, clock };
  return {
    ...areaAdmin(ctx),
    ...tenantAdmin(ctx),
    ...userAdmin(ctx),
    ...applicationAdmin(ctx),
    ...accessKeyAdmin(ctx),
    ...sessionAdmin(ctx),
  };
}

export type { AccessKeyView } from './access-keys.js';
export type { ApplicationView, CreateApplicationInput, UpdateApplicationInput } from './applications.js';
export { exactOrigin } from './applications.js';
export type { AreaView, CreateAreaInput } from './areas.js';
export type { SessionView } from './sessions.js';
export type { CreateTenantInput, TenantView } from './tenants.js';
export { randomBusinessUnitId } from './tenants.js';
export type { CreateUserInput, UserView } from './users.js';
