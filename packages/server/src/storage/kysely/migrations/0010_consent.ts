// First-party applications, remembered consent and resource indicators: an application's
// `first_party` flag, the `consents` table (what a user allowed an application), and the `resource`
// an authorization code was asked for. Applications that held the `admin` scope keep
// it only when they are first-party afterwards (docs/admin.md, "First-party applications").
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

/** The console's client_id (admin/service/console-app.ts), the same on every installation. */
const CONSOLE_CLIENT_ID = 'cxauth-console';

export function consent(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('applications')
        .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // The console, and every application for all tenants that holds `admin`: only operators could
      // register those (and the demo's apps are among them), so they stay what their operator meant.
      await db
        .updateTable('applications')
        .set({ first_party: 1 })
        .where((eb) =>
          eb.or([
            eb('client_id', '=', CONSOLE_CLIENT_ID),
            eb.and([eb('tenant_id', 'is', null), eb('scopes', 'like', '%"admin"%')]),
          ]),
        )
        .execute();
      // A single-tenant application holding `admin` may be an Administrator's: it loses the scope
      // (least privilege); an operator gives it back with `admin app update ID --first-party --scope admin`.
      const held = await db
        .selectFrom('applications')
        .select(['client_id', 'scopes'])
        .where('first_party', '=', 0)
        .where('scopes', 'like', '%"admin"%')
        .execute();
      for (const row of held as { client_id: string; scopes: string }[]) {
        const scopes = (JSON.parse(row.scopes) as string[]).filter((s) => s !== 'admin');
        await db
          .updateTable('applications')
          .set({ scopes: JSON.stringify(scopes) })
          .where('client_id', '=', row.client_id)
          .execute();
      }
      // No foreign keys: a deleted application's consents are purged after it (maintenance/purge.ts),
      // and deleting the application never waits on them.
      await db.schema
        .createTable('consents')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
        .execute();
      await db.schema.createIndex('consents_client').on('consents').column('client_id').execute();
      // The authorization request's resource indicator (RFC 8707), carried to the code's exchange.
      await db.schema.alterTable('authorization_codes').addColumn('resource', 'text').execute();
    },
  };
}
