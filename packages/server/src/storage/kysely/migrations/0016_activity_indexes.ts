// Indexes for the admin API's audit filters and activity statistics: audit events by tenant and by
// actor in time order (an Administrator's listing reads its own tenant's rows, not everyone's), and
// sessions and sign-ins by when they started (docs/admin-api.md, "Activity statistics").
import type { Migration } from 'kysely';
import type { AnyDb } from './any-db.js';

export function activityIndexes(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createIndex('audit_events_tenant_at')
        .on('audit_events')
        .columns(['tenant_id', 'at', 'id'])
        .execute();
      await db.schema
        .createIndex('audit_events_actor_at')
        .on('audit_events')
        .columns(['actor', 'at', 'id'])
        .execute();
      await db.schema.createIndex('sessions_created').on('sessions').columns(['created_at']).execute();
      await db.schema.createIndex('sign_ins_created').on('sign_ins').columns(['created_at']).execute();
    },
  };
}
