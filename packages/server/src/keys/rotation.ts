// What each key reload does on a node: rotate when due, record the states that changed, load the keys.
// Key events pass through one call (keyEvent, or keyChange for a change and its events): what happened
// to a key goes to the audit trail (stored, and logged as a JSON line), what one node merely noticed goes
// to its log. A change's events are stored in its transaction (the key lock's), so a crash loses neither
// alone (docs/webhooks.md).
import type { Logger } from '../domain/logger.js';
import type { SigningAlg } from '../domain/types.js';
import type { Audit, AuditInput } from '../observability/audit.js';
import type { Storage } from '../storage/contract/index.js';
import { type LoadedKeys, loadSigningKeys, recordKeyStates, rotateIfDue } from './signing-keys.js';
import type { KeyStatus, KeyTiming } from './states.js';

/** A signing-key event. `state_changed` is one node's view (each node sees it): logged, not audited. */
export interface KeyEvent {
  readonly type:
    | 'signing_key.created'
    | 'signing_key.rotated'
    | 'signing_key.retired'
    | 'signing_key.removed'
    | 'signing_key.state_changed';
  readonly kid: string;
  readonly alg?: SigningAlg;
  readonly state?: string;
  readonly signFrom?: string;
  readonly automatic?: boolean;
}

/** Who acts when the service itself rotates or records a state (not a person, not a client). */
export const SERVICE_ACTOR = 'service';

/**
 * The one call site of signing-key events: recorded in `audit` (which logs it too), or, for a node's
 * own view of a state or when there is no audit trail, logged as JSON.
 */
export async function keyEvent(log: Pick<Logger, 'info'>, event: KeyEvent, audit?: Audit): Promise<void> {
  await keyChange(
    log,
    audit,
    async () => undefined,
    () => [event],
  );
}

/** The audit event of a key event; none for a node's own view of a state. */
function keyAudit(event: KeyEvent): AuditInput | undefined {
  const { type } = event;
  if (type === 'signing_key.state_changed') return undefined;
  const { kid, alg, state, signFrom, automatic } = event;
  return {
    type,
    actor: SERVICE_ACTOR,
    subject: `signing_key:${kid}`,
    details: { kid, alg, state, signFrom, automatic },
  };
}

/** SQLite: how long a key change and its events wait for the write lock (nodes starting together). */
const KEY_PATIENCE_MS = 30_000;

/**
 * Runs a key change (a storage call that takes the key lock) and stores the events `events` makes of
 * its result in the same transaction; without an audit trail, or for a node's own view, they are logged.
 */
export async function keyChange<T>(
  log: Pick<Logger, 'info'>,
  audit: Audit | undefined,
  change: () => Promise<T>,
  events: (result: T) => readonly KeyEvent[],
): Promise<T> {
  const logged = (list: readonly KeyEvent[]) => {
    for (const event of list) {
      if (!audit || !keyAudit(event)) log.info({ event }, event.type);
    }
  };
  if (!audit) {
    const result = await change();
    logged(events(result));
    return result;
  }
  let made: readonly KeyEvent[] = [];
  const result = await audit.within(
    change,
    (done) => {
      made = events(done);
      return made.map(keyAudit).filter((e): e is AuditInput => e !== undefined);
    },
    { patienceMs: KEY_PATIENCE_MS },
  );
  logged(made);
  return result;
}

export interface KeyReloadOptions {
  readonly storage: Storage;
  readonly kek: Buffer;
  readonly alg: SigningAlg;
  readonly timing: KeyTiming;
  /** 0 turns automatic rotation off. */
  readonly rotationDays: number;
  readonly clock: () => Date;
  readonly log: Pick<Logger, 'info'>;
  /** Where rotations and recorded retirements and removals go (omitted: the log only). */
  readonly audit?: Audit;
}

/** The reload of server.ts: rotates when due, records changed states, then loads the keys. */
export function keyReload(
  options: KeyReloadOptions,
): (previous?: readonly KeyStatus[]) => Promise<LoadedKeys> {
  const { storage, kek, timing, log, audit } = options;
  return async (previous) => {
    const now = options.clock();
    // The key pair is generated before the unit of work; only the store and its event are inside.
    await rotateIfDue(storage, kek, now, options, (change) =>
      keyChange(log, audit, change, (rotated): KeyEvent[] => {
        if (!rotated) return [];
        const { kid, alg, signFrom } = rotated.key;
        return [{ type: 'signing_key.rotated', kid, alg, signFrom: signFrom.toISOString(), automatic: true }];
      }),
    );
    // Recorded under the key lock: of many nodes, the one that records a change reports it.
    await keyChange(
      log,
      audit,
      () => recordKeyStates(storage, now, timing),
      (changed) =>
        changed.flatMap(({ kid, state }): KeyEvent[] =>
          state === 'retired' || state === 'removed'
            ? [{ type: `signing_key.${state}`, kid, state, automatic: true }]
            : [],
        ),
    );
    const keys = await loadSigningKeys(storage, kek, now, timing);
    const before = new Map(previous?.map((s) => [s.key.kid, s.state]));
    for (const s of keys.statuses) {
      if (previous && before.get(s.key.kid) !== s.state) {
        keyEvent(log, { type: 'signing_key.state_changed', kid: s.key.kid, state: s.state });
      }
    }
    return keys;
  };
}
