// The statements of the session repository's hot paths (open, find, rotate), written with Kysely and
// compiled once per Kysely instance; repository.ts decides what to run and in which transaction.
import type { ExpressionBuilder, Kysely, Selectable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { prepare } from '../prepared.js';
import type { Database } from '../schema.js';
import type { RefreshTokensTable, refreshTokenRow, SessionsTable, sessionRow } from './table.js';

/** A refresh-token row joined with its session's row, session columns prefixed `s_`. */
export interface TokenWithSessionRow extends Omit<Selectable<RefreshTokensTable>, 'grace_used_at'> {
  s_id: string;
  s_client_id: string;
  s_user_id: string;
  s_tenant_id: string;
  s_access_key_id: string | null;
  s_scope: string;
  s_created_at: number | string;
  s_expires_at: number | string;
  s_revoked_at: number | string | null;
  s_revoked_reason: string | null;
  s_dpop_jkt: string | null;
  /** The session's sign-in link, when a sign-in opened it (null otherwise). */
  si_sign_in_id: string | null;
  si_auth_time: number | string | null;
  si_amr: string | null;
  si_idp: string | null;
}

/** The session part of a {@link TokenWithSessionRow}, as a sessions row. */
export function sessionOf(r: TokenWithSessionRow): Selectable<SessionsTable> {
  return {
    id: r.s_id,
    client_id: r.s_client_id,
    user_id: r.s_user_id,
    tenant_id: r.s_tenant_id,
    access_key_id: r.s_access_key_id,
    scope: r.s_scope,
    created_at: r.s_created_at,
    expires_at: r.s_expires_at,
    revoked_at: r.s_revoked_at,
    revoked_reason: r.s_revoked_reason,
    dpop_jkt: r.s_dpop_jkt,
  };
}

/**
 * The claim of a refresh token: marks it used when it is unused, unexpired and its session open. The
 * affected-row count decides the single winner of a race (see repository.ts).
 * @see RFC 9700 §4.14.2
 */
export function claimRefreshToken(
  db: Kysely<Database>,
  a: { hash: Buffer; at: number },
): UpdateQueryBuilder<Database, 'refresh_tokens', 'refresh_tokens', UpdateResult> {
  return db
    .updateTable('refresh_tokens')
    .set({ used_at: a.at })
    .where('token_hash', '=', a.hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', a.at)
    .where(sessionOpenAt(a.at));
}

/** The condition on a refresh-token row that its session is open at `at`: not revoked, not expired. */
export const sessionOpenAt = (at: number) => (eb: ExpressionBuilder<Database, 'refresh_tokens'>) =>
  eb.exists(
    eb
      .selectFrom('sessions')
      .select('sessions.id')
      .whereRef('sessions.id', '=', 'refresh_tokens.session_id')
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', at),
  );

/**
 * The columns of a session insert, named one by one: `prepare` hands the builder markers, which
 * cannot be spread. Shared by the SQLite and PostgreSQL forms of opening a session.
 */
export function sessionValues(a: ReturnType<typeof sessionRow.to>) {
  return {
    id: a.id,
    client_id: a.client_id,
    user_id: a.user_id,
    tenant_id: a.tenant_id,
    access_key_id: a.access_key_id,
    scope: a.scope,
    created_at: a.created_at,
    expires_at: a.expires_at,
    revoked_at: a.revoked_at,
    revoked_reason: a.revoked_reason,
    dpop_jkt: a.dpop_jkt,
  };
}

/** The columns of a refresh-token insert (see sessionValues). */
export function refreshTokenValues(a: ReturnType<typeof refreshTokenRow.to>) {
  return {
    token_hash: a.token_hash,
    session_id: a.session_id,
    scope: a.scope,
    created_at: a.created_at,
    expires_at: a.expires_at,
    used_at: a.used_at,
  };
}

/** Compiles the session statements for `db` (its dialect); run them on `db` or a transaction of it. */
export function sessionQueries(db: Kysely<Database>) {
  return {
    insertSession: prepare((a: ReturnType<typeof sessionRow.to>) =>
      db.insertInto('sessions').values(sessionValues(a)),
    ),

    insertRefreshToken: prepare((a: ReturnType<typeof refreshTokenRow.to>) =>
      db.insertInto('refresh_tokens').values(refreshTokenValues(a)),
    ),

    selectSession: prepare((a: { id: string }) =>
      db.selectFrom('sessions').selectAll().where('id', '=', a.id),
    ),

    /** One round trip for the token and its session (a token always has one: foreign key). */
    selectTokenWithSession: prepare((a: { hash: Buffer }) =>
      db
        .selectFrom('refresh_tokens as t')
        .innerJoin('sessions as s', 's.id', 't.session_id')
        // The sign-in a session came from (auth_time, amr) comes along: a refresh needs it, and one
        // read is one round trip fewer on PostgreSQL.
        .leftJoin('sign_in_sessions as si', 'si.session_id', 's.id')
        .select([
          't.token_hash',
          't.session_id',
          't.scope',
          't.created_at',
          't.expires_at',
          't.used_at',
          's.id as s_id',
          's.client_id as s_client_id',
          's.user_id as s_user_id',
          's.tenant_id as s_tenant_id',
          's.access_key_id as s_access_key_id',
          's.scope as s_scope',
          's.created_at as s_created_at',
          's.expires_at as s_expires_at',
          's.revoked_at as s_revoked_at',
          's.revoked_reason as s_revoked_reason',
          's.dpop_jkt as s_dpop_jkt',
          'si.sign_in_id as si_sign_in_id',
          'si.auth_time as si_auth_time',
          'si.amr as si_amr',
          'si.idp as si_idp',
        ])
        .where('t.token_hash', '=', a.hash),
    ),

    /**
     * The claim: its affected-row count decides the single winner of a race (see repository.ts).
     * @see RFC 9700 §4.14.2
     */
    claimRefreshToken: prepare((a: { hash: Buffer; at: number }) => claimRefreshToken(db, a)),
  };
}

export type SessionQueries = ReturnType<typeof sessionQueries>;
