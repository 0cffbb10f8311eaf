// Application types: `type` (fixed at creation), `tenancy`, post-logout redirect URIs and the scopes
// an application may request. Existing applications were all server-side clients with a secret
// (password and refresh_token), so they become `backend`; bound to a tenant they are `single`.
import { type Migration, sql } from 'kysely';
import type { AnyDb } from './any-db.js';

/** What an existing application may request: what it could before (the admin scope is opt-in). */
const EXISTING_SCOPES = JSON.stringify(['openid', 'profile', 'email', 'offline_access']);

export function appTypes(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('applications')
        .addColumn('type', 'text', (c) => c.notNull().defaultTo('backend'))
        .execute();
      await db.schema
        .alterTable('applications')
        .addColumn('tenancy', 'text', (c) => c.notNull().defaultTo('all'))
        .execute();
      await db.schema
        .alterTable('applications')
        .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .alterTable('applications')
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo(sql.lit(EXISTING_SCOPES)))
        .execute();
      await db
        .updateTable('applications')
        .set({ tenancy: 'single' })
        .where('tenant_id', 'is not', null)
        .execute();
    },
  };
}
