// The contract of the activity statistics: what the service did per time bucket (sign-ins, failures,
// throttling, tokens issued, sessions open), counted by the database from the records it keeps.

export interface ActivityQuery {
  /** The first bucket's start (inclusive). */
  readonly since: Date;
  /** The end of the last bucket (exclusive); the last bucket may be shorter. */
  readonly until: Date;
  readonly bucketMs: number;
  /** One tenant's activity; absent: the whole platform's. */
  readonly tenantId?: string;
}

export interface ActivityBucket {
  readonly start: Date;
  /** People signing in at the hosted sign-in page (sign-in sessions started). */
  readonly signIns: number;
  /** Refused credentials and grants: audit events whose type ends in `failed`, `refused` or `reused`. */
  readonly failures: number;
  /** Delays engaged: audit events `throttle.*`. */
  readonly throttled: number;
  /** Token responses: sessions opened by a grant, and refresh-token rotations. */
  readonly tokensIssued: number;
  /** Sessions open (neither ended nor expired) at the end of the bucket. */
  readonly activeSessions: number;
}

export interface ActivityRepository {
  /** One entry per bucket from `since` to `until`, in time order, each counted in SQL. */
  buckets(query: ActivityQuery): Promise<ActivityBucket[]>;
}
