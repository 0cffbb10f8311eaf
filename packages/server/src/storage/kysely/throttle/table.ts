// Throttle rows: one failure counter per key (a digest: no identifier is stored in clear).
import type { Selectable } from 'kysely';
import type { ThrottleCounter } from '../../contract/throttle.js';
import { type Millis, toDate } from '../rows.js';

export interface ThrottleTable {
  key: string;
  failures: number;
  window_start: Millis;
  last_failure_at: Millis;
  blocked_until: Millis;
}

export const throttleRow = {
  from: (r: Pick<Selectable<ThrottleTable>, 'key' | 'failures' | 'blocked_until'>): ThrottleCounter => ({
    key: r.key,
    failures: Number(r.failures),
    blockedUntil: toDate(r.blocked_until),
  }),
};
