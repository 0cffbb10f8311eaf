// PostgreSQL's single-statement forms of the two session writes on the token endpoint's path: each
// round trip costs the pg client tens of microseconds of event-loop time, and a transaction adds BEGIN
// and COMMIT. SQLite has no data-modifying WITH, so repository.ts runs the same steps there as separate
// statements of queries.ts in one transaction (synchronous, no round trips).
import type { Kysely } from 'kysely';
import { prepare } from '../prepared.js';
import type { Database } from '../schema.js';
import { claimRefreshToken, refreshTokenValues, sessionValues } from './queries.js';
import type { sessionRow } from './table.js';

/** A session row and its first token's columns, `t_`-prefixed (the token belongs to that session). */
export type SessionWithTokenInsert = ReturnType<typeof sessionRow.to> & {
  t_token_hash: Buffer;
  t_scope: string;
  t_created_at: number;
  t_expires_at: number;
  t_used_at: number | null;
};

/** The presented token's hash, the time of use, and the next token's columns. */
export interface RotateArgs {
  hash: Buffer;
  at: number;
  next_hash: Buffer;
  next_scope: string;
  next_created_at: number;
  next_expires_at: number;
}

/** Compiles the PostgreSQL-only statements for `db`; never call it on a SQLite instance. */
export function pgSessionQueries(db: Kysely<Database>) {
  return {
    /**
     * A session and its first refresh token in one statement: one round trip instead of four (BEGIN,
     * two INSERTs, COMMIT). A statement is atomic, and the foreign key is checked at its end, when the
     * session row exists.
     */
    openSession: prepare((a: SessionWithTokenInsert) =>
      db
        .with('s', (qb) => qb.insertInto('sessions').values(sessionValues(a)).returning('id'))
        .insertInto('refresh_tokens')
        .values(
          refreshTokenValues({
            token_hash: a.t_token_hash,
            session_id: a.id,
            scope: a.t_scope,
            created_at: a.t_created_at,
            expires_at: a.t_expires_at,
            used_at: a.t_used_at,
          }),
        ),
    ),

    /**
     * The claim and the next token in one statement; returns the session's row when this call won,
     * no row otherwise (the caller then reads the token to tell a replay from an invalid token).
     * Concurrent claims of one token wait on its row lock, and PostgreSQL re-checks `used_at IS NULL`
     * on the committed row, so exactly one wins. The parameters in the SELECT list are cast because
     * PostgreSQL cannot infer their types there.
     * @see RFC 9700 §4.14.2
     */
    rotate: prepare((a: RotateArgs) =>
      db
        .with('claimed', () => claimRefreshToken(db, a).returning('session_id'))
        .with('inserted', (qb) =>
          qb
            .insertInto('refresh_tokens')
            .columns(['token_hash', 'session_id', 'scope', 'created_at', 'expires_at'])
            .expression((eb) =>
              eb
                .selectFrom('claimed')
                .select([
                  eb.cast<Buffer>(eb.val(a.next_hash), 'bytea').as('token_hash'),
                  'claimed.session_id',
                  eb.cast<string>(eb.val(a.next_scope), 'text').as('scope'),
                  eb.cast<number>(eb.val(a.next_created_at), 'bigint').as('created_at'),
                  eb.cast<number>(eb.val(a.next_expires_at), 'bigint').as('expires_at'),
                ]),
            )
            .returning('session_id'),
        )
        .selectFrom('sessions')
        .innerJoin('inserted', 'inserted.session_id', 'sessions.id')
        .selectAll('sessions'),
    ),
  };
}

export type PgSessionQueries = ReturnType<typeof pgSessionQueries>;
