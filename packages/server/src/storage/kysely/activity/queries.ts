// Activity statistics in SQL, one set of statements for SQLite and PostgreSQL: each counts rows per
// bucket with integer division of epoch milliseconds (`(t - since) / bucket`, integer in both), grouped
// in the database, so a dashboard reads a few numbers per bucket rather than the rows themselves.
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { ActivityBucket, ActivityRepository } from '../../contract/activity.js';
import type { Database } from '../schema.js';

interface Counted {
  bucket: number | string;
  n: number | string;
}

/** Failures and throttling by audit event type (docs/admin-api.md, "Activity statistics"). */
const FAILURE = sql<SqlBool>`(type like '%failed' or type like '%refused' or type like '%reused')`;
const THROTTLE = sql<SqlBool>`(type like 'throttle.%')`;

export function activityRepository(db: Kysely<Database>): ActivityRepository {
  return {
    async buckets(q) {
      const since = q.since.getTime();
      const until = q.until.getTime();
      const size = q.bucketMs;
      const count = Math.max(0, Math.ceil((until - since) / size));
      // Cast: better-sqlite3 binds numbers as REAL, whose division would not be whole.
      const bucketOf = (column: Expression<unknown>) =>
        sql<number>`cast((${column} - ${since}) / ${size} as integer)`;
      const inRange = (column: Expression<unknown>) =>
        sql<SqlBool>`${column} >= ${since} and ${column} < ${until}`;
      const tenant = (column: string) =>
        q.tenantId === undefined ? sql<SqlBool>`1 = 1` : sql<SqlBool>`${sql.ref(column)} = ${q.tenantId}`;

      const audit = (kind: typeof FAILURE) =>
        db
          .selectFrom('audit_events')
          .select([bucketOf(sql.ref('at')).as('bucket'), sql<number>`count(*)`.as('n')])
          .where(inRange(sql.ref('at')))
          .where(tenant('tenant_id'))
          .where(kind)
          .groupBy(sql`1`)
          .execute();
      const signIns = db
        .selectFrom('sign_ins')
        .select([bucketOf(sql.ref('created_at')).as('bucket'), sql<number>`count(*)`.as('n')])
        .where(inRange(sql.ref('created_at')))
        .where(tenant('tenant_id'))
        .groupBy(sql`1`)
        .execute();
      const opened = db
        .selectFrom('sessions')
        .select([bucketOf(sql.ref('created_at')).as('bucket'), sql<number>`count(*)`.as('n')])
        .where(inRange(sql.ref('created_at')))
        .where(tenant('tenant_id'))
        .groupBy(sql`1`)
        .execute();
      // A rotation stores the next refresh token: one created after its session began.
      const rotations = db
        .selectFrom('refresh_tokens as r')
        .innerJoin('sessions as s', 's.id', 'r.session_id')
        .select([bucketOf(sql.ref('r.created_at')).as('bucket'), sql<number>`count(*)`.as('n')])
        .where(inRange(sql.ref('r.created_at')))
        .where(sql<SqlBool>`r.created_at > s.created_at`)
        .where(tenant('s.tenant_id'))
        .groupBy(sql`1`)
        .execute();
      // A session ends when it is revoked or when it expires, whichever comes first.
      const end = sql`case when revoked_at is not null and revoked_at < expires_at then revoked_at else expires_at end`;
      const ended = db
        .selectFrom('sessions')
        .select([bucketOf(end).as('bucket'), sql<number>`count(*)`.as('n')])
        .where((eb) =>
          eb.or([
            eb.and([eb('revoked_at', '>=', since), eb('revoked_at', '<', until)]),
            eb.and([eb('expires_at', '>=', since), eb('expires_at', '<', until)]),
          ]),
        )
        .where(inRange(end))
        .where(tenant('tenant_id'))
        .groupBy(sql`1`)
        .execute();
      // Open when the range starts: the running count starts from here.
      const openAtStart = db
        .selectFrom('sessions')
        .select(sql<number>`count(*)`.as('n'))
        .where('created_at', '<', since)
        .where('expires_at', '>=', since)
        .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>=', since)]))
        .where(tenant('tenant_id'))
        .executeTakeFirst();

      const [failures, throttled, signed, open, rotated, closed, start] = await Promise.all([
        audit(FAILURE),
        audit(THROTTLE),
        signIns,
        opened,
        rotations,
        ended,
        openAtStart,
      ]);
      const perBucket = (rows: Counted[]) => {
        const values = new Array<number>(count).fill(0);
        for (const r of rows) {
          const i = Number(r.bucket);
          if (i >= 0 && i < count) values[i] = (values[i] ?? 0) + Number(r.n);
        }
        return values;
      };
      const f = perBucket(failures);
      const t = perBucket(throttled);
      const s = perBucket(signed);
      const o = perBucket(open);
      const r = perBucket(rotated);
      const c = perBucket(closed);
      let active = Number(start?.n ?? 0);
      const out: ActivityBucket[] = [];
      for (let i = 0; i < count; i++) {
        active += (o[i] ?? 0) - (c[i] ?? 0);
        out.push({
          start: new Date(since + i * size),
          signIns: s[i] ?? 0,
          failures: f[i] ?? 0,
          throttled: t[i] ?? 0,
          tokensIssued: (o[i] ?? 0) + (r[i] ?? 0),
          activeSessions: Math.max(0, active),
        });
      }
      return out;
    },
  };
}
