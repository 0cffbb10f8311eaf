// Session and refresh-token repository: opening sessions, race-safe rotation with replay detection,
// and revocation.
import type { Kysely, Transaction } from 'kysely';
import type { RefreshToken, Session } from '../../domain/types.js';
import type { RotationResult, SessionRepository } from '../storage.js';
import { constrained, refreshTokenRow, sessionRow } from './rows.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

async function getSession(db: Db, id: string): Promise<Session | undefined> {
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? sessionRow.from(row) : undefined;
}

async function findToken(
  db: Db,
  hash: Buffer,
): Promise<{ token: RefreshToken; session: Session } | undefined> {
  const row = await db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return undefined;
  const session = await getSession(db, row.session_id);
  return session ? { token: refreshTokenRow.from(row), session } : undefined;
}

export function sessionRepository(db: Kysely<Database>): SessionRepository {
  return {
    async create(session: Session, first: RefreshToken) {
      await constrained(`session ${session.id}`, () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('sessions').values(sessionRow.to(session)).execute();
          await trx
            .insertInto('refresh_tokens')
            .values({ ...refreshTokenRow.to(first), session_id: session.id })
            .execute();
        }),
      );
    },
    get: (id) => getSession(db, id),
    findRefreshToken: (hash) => findToken(db, hash),

    /**
     * The claim comes first, as one conditional UPDATE: its affected-row count decides the winner on
     * both dialects (PostgreSQL re-checks `used_at IS NULL` after a concurrent commit; SQLite takes the
     * write lock at that first statement, so no stale read precedes it).
     * @see RFC 9700 §4.14.2 (refresh token rotation and replay detection)
     */
    async rotate(presentedHash, next, at): Promise<RotationResult> {
      const ms = at.getTime();
      return db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('refresh_tokens')
          .set({ used_at: ms })
          .where('token_hash', '=', presentedHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', ms)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('sessions')
                .select('sessions.id')
                .whereRef('sessions.id', '=', 'refresh_tokens.session_id')
                .where('sessions.revoked_at', 'is', null)
                .where('sessions.expires_at', '>', ms),
            ),
          )
          .executeTakeFirst();
        const found = await findToken(trx, presentedHash);
        if (!found) return { outcome: 'invalid' };
        if (claimed.numUpdatedRows === 1n) {
          await trx
            .insertInto('refresh_tokens')
            .values({ ...refreshTokenRow.to(next), session_id: found.session.id })
            .execute();
          return { outcome: 'rotated', session: found.session };
        }
        if (found.token.usedAt === null) return { outcome: 'invalid' };
        // A replay: whoever presents a rotated token may have stolen it, so the family ends here.
        await trx
          .updateTable('sessions')
          .set({ revoked_at: ms, revoked_reason: 'refresh token reused' })
          .where('id', '=', found.session.id)
          .where('revoked_at', 'is', null)
          .execute();
        const session = (await getSession(trx, found.session.id)) ?? found.session;
        return { outcome: 'reused', session };
      });
    },

    async revoke(id, reason, at) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: at.getTime(), revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async revokeByUser(userId, reason, at) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: at.getTime(), revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revokeByAccessKey(accessKeyId, reason, at) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: at.getTime(), revoked_reason: reason })
        .where('access_key_id', '=', accessKeyId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
