// Session and refresh-token repository: opening sessions, race-safe rotation with replay detection,
// and revocation.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { SessionSignIn } from '../../../domain/sign-in.js';
import type { RefreshToken, Session } from '../../../domain/types.js';
import type { RotationResult, SessionRepository } from '../../contract/sessions.js';
import { groupCommit } from '../group-commit.js';
import { settleInDoubt } from '../in-doubt.js';
import { inTransaction, recordRevocations } from '../revocations/record.js';
import { constrained, type Dialect } from '../rows.js';
import type { Database } from '../schema.js';
import { linkRow } from '../sign-in/table.js';
import { pgSessionQueries } from './pg-queries.js';
import { type SessionQueries, sessionOf, sessionOpenAt, sessionQueries } from './queries.js';
import { refreshTokenRow, sessionRow } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;

async function getSession(q: SessionQueries, db: Db, id: string): Promise<Session | undefined> {
  const { rows } = await q.selectSession.execute(db, { id });
  const row = rows[0];
  return row ? sessionRow.from(row) : undefined;
}

async function findToken(
  q: SessionQueries,
  db: Db,
  hash: Buffer,
): Promise<{ token: RefreshToken; session: Session; signIn?: SessionSignIn } | undefined> {
  const { rows } = await q.selectTokenWithSession.execute(db, { hash });
  const row = rows[0];
  if (!row) return undefined;
  const found = { token: refreshTokenRow.from(row), session: sessionRow.from(sessionOf(row)) };
  if (row.si_sign_in_id === null || row.si_auth_time === null || row.si_amr === null) return found;
  const link = {
    session_id: row.s_id,
    sign_in_id: row.si_sign_in_id,
    auth_time: row.si_auth_time,
    amr: row.si_amr,
    idp: row.si_idp,
  };
  return { ...found, signIn: linkRow.from(link) };
}

/**
 * The end of a rotation whose claim failed: an unknown token, or an unused one that is expired or whose
 * session is closed, is invalid; a used one is a replay, and whoever presents a rotated token may have
 * stolen it, so the whole session is revoked (RFC 9700 §4.14.2).
 */
async function lostClaim(
  q: SessionQueries,
  db: Db,
  found: { token: RefreshToken; session: Session } | undefined,
  ms: number,
): Promise<RotationResult> {
  if (!found || found.token.usedAt === null) return { outcome: 'invalid' };
  await revokeWhere(db, 'id', found.session.id, 'refresh token reused', new Date(ms));
  const session = (await getSession(q, db, found.session.id)) ?? found.session;
  return { outcome: 'reused', session };
}

/**
 * The grace-period answer to the retry of a just-used token (docs/operations.md, "Refresh token grace
 * period"): a conditional UPDATE marks the presented token's grace as spent, so of any number of
 * concurrent retries exactly one wins (PostgreSQL re-checks the condition after a concurrent commit;
 * SQLite holds the write lock). The winner spends the session's unused token (the one whose answer was
 * lost, so at most one refresh token of the session stays valid) and stores `next`. A loser within the
 * window gets `invalid` and changes nothing. Run inside a transaction.
 */
async function graceRetry(
  q: SessionQueries,
  db: Db,
  found: { token: RefreshToken; session: Session },
  next: RefreshToken,
  ms: number,
  graceMs: number,
): Promise<RotationResult> {
  const won = await db
    .updateTable('refresh_tokens')
    .set({ grace_used_at: ms })
    .where('token_hash', '=', found.token.tokenHash)
    .where('grace_used_at', 'is', null)
    .where('used_at', '>', ms - graceMs)
    .where(sessionOpenAt(ms))
    .executeTakeFirst();
  if (won.numUpdatedRows !== 1n) return { outcome: 'invalid' };
  await db
    .updateTable('refresh_tokens')
    .set({ used_at: ms, grace_used_at: ms })
    .where('session_id', '=', found.session.id)
    .where('used_at', 'is', null)
    .execute();
  await q.insertRefreshToken.execute(db, { ...refreshTokenRow.to(next), session_id: found.session.id });
  return { outcome: 'rotated', session: found.session, grace: true };
}

/** True when a used token's retry falls within the grace window. */
function withinGrace(found: { token: RefreshToken } | undefined, ms: number, graceMs: number): boolean {
  const usedAt = found?.token.usedAt;
  return graceMs > 0 && usedAt != null && ms - usedAt.getTime() < graceMs;
}

/** Revokes every open session whose `column` is `value`; returns how many. */
async function revokeWhere(
  db: Db,
  column: 'id' | 'user_id' | 'access_key_id' | 'client_id',
  value: string,
  reason: string,
  at: Date,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const ended = await trx
      .updateTable('sessions')
      .set({ revoked_at: at.getTime(), revoked_reason: reason })
      .where(column, '=', value)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    await recordRevocations(
      trx,
      ended.map((s) => ({ kind: 'sid', value: s.id, at })),
    );
    return ended.length;
  });
}

/**
 * `inDoubtWaitMs`: how long a PostgreSQL write whose answer was lost is read back before the fault is
 * answered (in-doubt.ts).
 */
export function sessionRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  inDoubtWaitMs = 0,
): SessionRepository {
  const q = sessionQueries(db);
  const pg = dialect === 'postgres' ? pgSessionQueries(db) : undefined;
  // SQLite: grants that arrive together share one commit (group-commit.ts); PostgreSQL's one
  // statement per write needs no grouping.
  const grouped = groupCommit(db);
  return {
    async create(session: Session, first: RefreshToken) {
      const row = sessionRow.to(session);
      const token = refreshTokenRow.to(first);
      await constrained(`session ${session.id}`, async () => {
        if (pg) {
          const open = () =>
            pg.openSession.execute(db, {
              ...row,
              t_token_hash: token.token_hash,
              t_scope: token.scope,
              t_created_at: token.created_at,
              t_expires_at: token.expires_at,
              t_used_at: token.used_at,
            });
          // The session's id is new: finding it means this very write committed (a second run of it
          // fails on that id, and is read back).
          const opened = async () => ((await getSession(q, db, session.id)) ? true : undefined);
          const write = async () => {
            await open();
            return true;
          };
          await settleInDoubt(write, opened, inDoubtWaitMs);
          return;
        }
        await grouped(async (trx) => {
          await q.insertSession.execute(trx, row);
          await q.insertRefreshToken.execute(trx, { ...token, session_id: session.id });
        });
      });
    },
    get: (id) => getSession(q, db, id),
    async list(filter) {
      let query = db.selectFrom('sessions').selectAll();
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      if (filter.openAt !== undefined) {
        query = query.where('revoked_at', 'is', null).where('expires_at', '>', filter.openAt.getTime());
      }
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(sessionRow.from);
    },
    findRefreshToken: (hash) => findToken(q, db, hash),

    /**
     * The claim comes first, as one conditional UPDATE: its affected-row count decides the winner on
     * both dialects (PostgreSQL re-checks `used_at IS NULL` after a concurrent commit; SQLite takes the
     * write lock at that first statement, so no stale read precedes it). On PostgreSQL the claim and
     * the next token's insert are one statement; on SQLite they share a transaction (a savepoint in a
     * group transaction when other grants arrive with it: group-commit.ts).
     * @see RFC 9700 §4.14.2 (refresh token rotation and replay detection)
     */
    async rotate(presentedHash, next, at, graceMs = 0): Promise<RotationResult> {
      const ms = at.getTime();
      if (pg) {
        const claim = async (again: boolean): Promise<Session | null> => {
          const { rows } = await pg.rotate.execute(db, {
            hash: presentedHash,
            at: ms,
            next_hash: next.tokenHash,
            next_scope: next.scope,
            next_created_at: next.createdAt.getTime(),
            next_expires_at: next.expiresAt.getTime(),
          });
          const row = rows[0];
          if (row) return sessionRow.from(row);
          // A second run that claims nothing may have lost to the first one, still on its way then.
          return again ? ((await claimed()) ?? null) : null;
        };
        // The next token is new: finding it means this very rotation committed.
        const claimed = async () => (await findToken(q, db, next.tokenHash))?.session;
        const won = await settleInDoubt(claim, claimed, inDoubtWaitMs);
        if (won) return { outcome: 'rotated', session: won };
        const found = await findToken(q, db, presentedHash);
        if (found && withinGrace(found, ms, graceMs)) {
          return db.transaction().execute((trx) => graceRetry(q, trx, found, next, ms, graceMs));
        }
        return lostClaim(q, db, found, ms);
      }
      return grouped(async (trx) => {
        const claimed = await q.claimRefreshToken.execute(trx, { hash: presentedHash, at: ms });
        const found = await findToken(q, trx, presentedHash);
        if (found && claimed.numAffectedRows === 1n) {
          await q.insertRefreshToken.execute(trx, {
            ...refreshTokenRow.to(next),
            session_id: found.session.id,
          });
          return { outcome: 'rotated', session: found.session };
        }
        if (found && withinGrace(found, ms, graceMs)) return graceRetry(q, trx, found, next, ms, graceMs);
        return lostClaim(q, trx, found, ms);
      });
    },

    async revoke(id, reason, at) {
      return (await revokeWhere(db, 'id', id, reason, at)) > 0;
    },
    revokeByUser: (userId, reason, at) => revokeWhere(db, 'user_id', userId, reason, at),
    revokeByAccessKey: (accessKeyId, reason, at) => revokeWhere(db, 'access_key_id', accessKeyId, reason, at),
    revokeByClient: (clientId, reason, at) => revokeWhere(db, 'client_id', clientId, reason, at),

    async countActive(at, timeoutMs) {
      const count = (d: Db) =>
        d
          .selectFrom('sessions')
          .select((e) => e.fn.countAll<number | string | bigint>().as('n'))
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', at.getTime())
          .executeTakeFirstOrThrow();
      if (!pg) return Number((await count(db)).n);
      // PostgreSQL cancels the count itself past the bound, so a slow scrape holds no connection.
      return db.transaction().execute(async (trx) => {
        await sql`select set_config('statement_timeout', ${String(Math.ceil(timeoutMs))}, true)`.execute(trx);
        return Number((await count(trx)).n);
      });
    },
  };
}
