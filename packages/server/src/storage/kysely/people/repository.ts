// People's accounts repository: the mail outbox's claim by one node at a time (PostgreSQL
// `FOR UPDATE SKIP LOCKED`; SQLite has one writer), and single-use links (password resets, invitations,
// e-mail verifications) each spent by one atomic update.
import type { Kysely } from 'kysely';
import type { PeopleRepository } from '../../contract/people.js';
import { claimLeased } from '../leases.js';
import { changing } from '../revision/queries.js';
import type { Dialect, Millis, NullableMillis } from '../rows.js';
import type { Database } from '../schema.js';
import { invitationRow, mailRow, resetRow, verificationRow } from './table.js';

/** The columns the tables of single-use links to one user share. */
interface LinkColumns {
  token_hash: Buffer;
  user_id: string;
  expires_at: Millis;
  used_at: NullableMillis;
}

/** Spending and purging the single-use links of one table (password resets, e-mail verifications). */
function singleUseLinks(db: Kysely<Database>, table: 'password_resets' | 'email_verifications') {
  // Both tables have these columns; Kysely is told of one table name at a time.
  const links = db as unknown as Kysely<{ links: LinkColumns }>;
  const t = table as 'links';
  return {
    /** Spends a link atomically: true for the one caller that found it unused and unexpired. */
    async use(tokenHash: Buffer, at: Date): Promise<boolean> {
      const result = await links
        .updateTable(t)
        .set({ used_at: at.getTime() })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at.getTime())
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async end(userId: string, at: Date): Promise<number> {
      const result = await links
        .updateTable(t)
        .set({ used_at: at.getTime() })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async purge(at: Date, limit: number, spentToo: boolean): Promise<number> {
      const hashes = links
        .selectFrom(t)
        .select('token_hash')
        .where((eb) =>
          spentToo
            ? eb.or([eb('expires_at', '<', at.getTime()), eb('used_at', 'is not', null)])
            : eb('expires_at', '<', at.getTime()),
        )
        .limit(limit);
      const result = await links.deleteFrom(t).where('token_hash', 'in', hashes).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function peopleRepository(db: Kysely<Database>, dialect: Dialect): PeopleRepository {
  const resets = singleUseLinks(db, 'password_resets');
  const verifications = singleUseLinks(db, 'email_verifications');
  return {
    async enqueueMail(mail) {
      await db.insertInto('mail_outbox').values(mailRow.to(mail)).execute();
    },
    async claimMail(now, leaseMs, limit, owner) {
      const rows = await claimLeased(db, dialect, 'mail_outbox', { now, leaseMs, limit, owner });
      return rows.map(mailRow.from);
    },
    async completeMail(id, owner, outcome) {
      const result = await db
        .updateTable('mail_outbox')
        .set({
          state: outcome.state,
          attempts: outcome.attempts,
          next_attempt_at: outcome.nextAttemptAt.getTime(),
          last_error: outcome.error,
          ...(outcome.state === 'sent' ? { sent_at: outcome.at.getTime() } : {}),
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async getMail(id) {
      const row = await db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row && mailRow.from(row);
    },
    async pendingMail() {
      const row = await db
        .selectFrom('mail_outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async purgeMail(before, limit) {
      const ids = db
        .selectFrom('mail_outbox')
        .select('id')
        .where('state', 'in', ['sent', 'failed'])
        .where('created_at', '<', before.getTime())
        .limit(limit);
      const result = await db.deleteFrom('mail_outbox').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async createReset(reset) {
      await db.insertInto('password_resets').values(resetRow.to(reset)).execute();
    },
    async getReset(tokenHash) {
      const row = await db
        .selectFrom('password_resets')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && resetRow.from(row);
    },
    useReset: resets.use,
    endResets: resets.end,
    purgeResets: (at, limit) => resets.purge(at, limit, false),
    async createInvitation(invitation) {
      await db.insertInto('invitations').values(invitationRow.to(invitation)).execute();
    },
    async getInvitation(id) {
      const row = await db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && invitationRow.from(row);
    },
    async invitationByToken(tokenHash) {
      const row = await db
        .selectFrom('invitations')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && invitationRow.from(row);
    },
    async listInvitations(tenantId) {
      const rows = await db
        .selectFrom('invitations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(invitationRow.from);
    },
    async revokeInvitation(id, at) {
      const result = await db
        .updateTable('invitations')
        .set({ revoked_at: at.getTime() })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async useInvitation(tokenHash, at) {
      const result = await db
        .updateTable('invitations')
        .set({ used_at: at.getTime() })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at.getTime())
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async purgeInvitations(at, limit) {
      const ids = db
        .selectFrom('invitations')
        .select('id')
        .where('expires_at', '<', at.getTime())
        .limit(limit);
      const result = await db.deleteFrom('invitations').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async createVerification(verification) {
      await db.insertInto('email_verifications').values(verificationRow.to(verification)).execute();
    },
    async getVerification(tokenHash) {
      const row = await db
        .selectFrom('email_verifications')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && verificationRow.from(row);
    },
    useVerification: verifications.use,
    endVerifications: verifications.end,
    // A spent verification link is of no more use (a reset's is kept until it expires, as its record).
    purgeVerifications: (at, limit) => verifications.purge(at, limit, true),
    async markEmailVerified(userId) {
      await changing(db, async (trx) => {
        const result = await trx
          .updateTable('users')
          .set({ email_verified: 1 })
          .where('id', '=', userId)
          .where('email_verified', '=', 0)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      });
    },
    async endSignIns(userId, at) {
      const result = await db
        .updateTable('sign_ins')
        .set({ ended_at: at.getTime() })
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
