// Webhook repository: subscriptions, the claim of due deliveries by one node at a time (PostgreSQL
// `FOR UPDATE SKIP LOCKED`; SQLite has one writer), attempts, the delivery log and the queue's size.
import type { Kysely } from 'kysely';
import type { WebhookRepository } from '../../contract/webhooks.js';
import { claimLeased } from '../leases.js';
import type { Dialect } from '../rows.js';
import { toDateOrNull } from '../rows.js';
import type { Database } from '../schema.js';
import { attemptRow, deliveryRow, subscriptionRow } from './table.js';

export function webhookRepository(db: Kysely<Database>, dialect: Dialect): WebhookRepository {
  return {
    async createSubscription(s) {
      await db.insertInto('webhook_subscriptions').values(subscriptionRow.to(s)).execute();
    },
    async getSubscription(id) {
      const row = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && subscriptionRow.from(row);
    },
    async listSubscriptions(tenantId) {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(subscriptionRow.from);
    },
    async updateSubscription(id, patch) {
      await db
        .updateTable('webhook_subscriptions')
        .set(subscriptionRow.patch(patch))
        .where('id', '=', id)
        .execute();
      return this.getSubscription(id);
    },
    async deleteSubscription(id) {
      return db.transaction().execute(async (trx) => {
        const ids = trx.selectFrom('webhook_deliveries').select('id').where('subscription_id', '=', id);
        await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
        await trx.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
        const result = await trx.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async claim(now, leaseMs, limit, owner) {
      const rows = await claimLeased(db, dialect, 'webhook_deliveries', { now, leaseMs, limit, owner });
      return rows.map(deliveryRow.from);
    },
    async complete(id, owner, outcome) {
      return db.transaction().execute(async (trx) => {
        const { attempt } = outcome;
        const result = await trx
          .updateTable('webhook_deliveries')
          .set({
            state: outcome.state,
            attempts: attempt.attempt,
            next_attempt_at: outcome.nextAttemptAt.getTime(),
            last_status: attempt.status,
            last_error: attempt.error,
            ...(outcome.state === 'delivered' ? { delivered_at: attempt.at.getTime() } : {}),
            lease_owner: null,
            lease_until: null,
          })
          .where('id', '=', id)
          .where('lease_owner', '=', owner)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await trx.insertInto('webhook_attempts').values(attemptRow.to(attempt)).execute();
        return true;
      });
    },
    async release(ids, owner) {
      if (ids.length === 0) return;
      await db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: null, lease_until: null })
        .where('id', 'in', [...ids])
        .where('lease_owner', '=', owner)
        .execute();
    },
    async getDelivery(id) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && deliveryRow.from(row);
    },
    async listDeliveries(subscriptionId, limit) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(deliveryRow.from);
    },
    async listAttempts(deliveryId) {
      const rows = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .orderBy('attempt')
        .execute();
      return rows.map(attemptRow.from);
    },
    async redeliver(id, now) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ state: 'pending', next_attempt_at: now.getTime() })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async queue() {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => [eb.fn.countAll<number | string>().as('depth'), eb.fn.min('created_at').as('oldest')])
        .where('state', '=', 'pending')
        .executeTakeFirst();
      const oldest = row?.oldest ?? null;
      return { depth: Number(row?.depth ?? 0), oldest: toDateOrNull(oldest as number | string | null) };
    },
    async purge(before, limit) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('state', '!=', 'pending')
          .where('created_at', '<', before.getTime())
          .limit(limit)
          .execute();
        const ids = rows.map((r) => r.id);
        if (ids.length === 0) return 0;
        await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
        const result = await trx.deleteFrom('webhook_deliveries').where('id', 'in', ids).executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
}
