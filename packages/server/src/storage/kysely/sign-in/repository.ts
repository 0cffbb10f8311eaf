// Sign-in repository: credentials, sign-in sessions, single-use authorization codes (claimed by one
// conditional UPDATE, as refresh tokens are) and the links from grant sessions to their sign-in.
import { type Kysely, sql } from 'kysely';
import type { SignInRepository } from '../../contract/sign-in.js';
import { constrained } from '../rows.js';
import type { Database } from '../schema.js';
import { userRow } from '../users/table.js';
import { codeRow, credentialsRow, linkRow, signInRow } from './table.js';

export function signInRepository(db: Kysely<Database>): SignInRepository {
  const upsertCredentials = async (
    userId: string,
    values: { password_hash?: string; totp_secret_encrypted?: Buffer | null; totp_last_step?: null },
    at: Date,
  ) => {
    await constrained(`credentials of user ${userId}`, () =>
      db
        .insertInto('user_credentials')
        .values({ user_id: userId, updated_at: at.getTime(), ...values })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ updated_at: at.getTime(), ...values }))
        .execute(),
    );
  };
  const getCode = async (hash: Buffer) => {
    const row = await db
      .selectFrom('authorization_codes')
      .selectAll()
      .where('code_hash', '=', hash)
      .executeTakeFirst();
    return row;
  };
  return {
    async credentials(userId) {
      const row = await db
        .selectFrom('user_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? credentialsRow.from(row) : undefined;
    },
    setPassword: (userId, passwordHash, at) => upsertCredentials(userId, { password_hash: passwordHash }, at),
    setTotp: (userId, encrypted, at) =>
      upsertCredentials(userId, { totp_secret_encrypted: encrypted, totp_last_step: null }, at),
    async useTotpStep(userId, step) {
      const result = await db
        .updateTable('user_credentials')
        .set({ totp_last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async usersByEmail(email, tenantId) {
      let query = db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.toLowerCase());
      // The tenant in SQL, before the cap: its user is found however many tenants share the address.
      if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
      const rows = await query.orderBy('created_at').limit(20).execute();
      return rows.map(userRow.from);
    },

    async openSignIn(session) {
      await constrained(`sign-in ${session.id}`, () =>
        db.insertInto('sign_ins').values(signInRow.to(session)).execute(),
      );
    },
    async signIn(id) {
      const row = await db.selectFrom('sign_ins').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? signInRow.from(row) : undefined;
    },
    async signInByToken(tokenHash) {
      const row = await db
        .selectFrom('sign_ins')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row ? signInRow.from(row) : undefined;
    },
    async reauthenticate(id, authTime, amr, idp) {
      await db
        .updateTable('sign_ins')
        .set({ auth_time: authTime.getTime(), amr: JSON.stringify(amr), idp: idp ?? null })
        .where('id', '=', id)
        .execute();
    },
    async endSignIn(id, at) {
      await db
        .updateTable('sign_ins')
        .set({ ended_at: at.getTime() })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
      const rows = await db
        .selectFrom('sign_in_sessions')
        .select('session_id')
        .where('sign_in_id', '=', id)
        .execute();
      return rows.map((r) => r.session_id);
    },

    async createCode(code, keepUnexchanged) {
      await constrained('authorization code', () =>
        db.insertInto('authorization_codes').values(codeRow.to(code)).execute(),
      );
      // The newest others of this sign-in (along authorization_codes_sign_in), one place left for the
      // new code, which stays whatever the clock says; exchanged codes stay until they expire, as
      // presenting one again is how a replay is detected (RFC 6749 §4.1.2).
      const unexchanged = (n: number) =>
        db
          .selectFrom('authorization_codes')
          .select('code_hash')
          .where('sign_in_id', '=', code.signInId)
          .where('used_at', 'is', null)
          .where('code_hash', '!=', code.codeHash)
          .orderBy('created_at', 'desc')
          .orderBy('code_hash', 'desc')
          .limit(n);
      await db
        .deleteFrom('authorization_codes')
        .where('sign_in_id', '=', code.signInId)
        .where('used_at', 'is', null)
        .where('code_hash', '!=', code.codeHash)
        .where('code_hash', 'not in', unexchanged(Math.max(0, keepUnexchanged - 1)))
        .execute();
    },
    async claimCode(codeHash, sessionId, at) {
      const ms = at.getTime();
      const claimed = await db
        .updateTable('authorization_codes')
        .set({ used_at: ms, session_id: sessionId })
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', ms)
        .executeTakeFirst();
      const row = await getCode(codeHash);
      if (!row) return { outcome: 'invalid' };
      if (claimed.numUpdatedRows > 0n) return { outcome: 'claimed', code: codeRow.from(row) };
      if (row.used_at === null) return { outcome: 'invalid' };
      await db
        .updateTable('authorization_codes')
        .set({ replayed_at: ms })
        .where('code_hash', '=', codeHash)
        .execute();
      return { outcome: 'replayed', code: codeRow.from(row) };
    },
    async codeReplayed(codeHash) {
      const row = await getCode(codeHash);
      return row?.replayed_at !== null && row?.replayed_at !== undefined;
    },

    async linkSession(link) {
      await constrained(`session link ${link.sessionId}`, () =>
        db
          .insertInto('sign_in_sessions')
          .values({
            session_id: link.sessionId,
            sign_in_id: link.signInId,
            auth_time: link.authTime.getTime(),
            amr: JSON.stringify(link.amr),
            idp: link.idp ?? null,
          })
          .execute(),
      );
    },
    async sessionSignIn(sessionId) {
      const row = await db
        .selectFrom('sign_in_sessions')
        .selectAll()
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      return row ? linkRow.from(row) : undefined;
    },
  };
}
