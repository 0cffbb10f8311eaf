// What each key reload does on a node: rotate when due, record the states that changed, load the keys.
// Key events pass through one call (keyEvent): what happened to a key goes to the audit trail (stored,
// and logged as a JSON line), what one node merely noticed goes to its log.
import type { Logger } from '../domain/logger.js';
import type { SigningAlg } from '../domain/types.js';
import type { Audit } from '../observability/audit.js';
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
export function keyEvent(log: Pick<Logger, 'info'>, event: KeyEvent, audit?: Audit): void {
  const { type } = event;
  if (!audit || type === 'signing_key.state_changed') {
    log.info({ event }, type);
    return;
  }
  const { kid, alg, state, signFrom, automatic } = event;
  audit.record({
    type,
    actor: SERVICE_ACTOR,
    subject: `signing_key:${kid}`,
    details: { kid, alg, state, signFrom, automatic },
  });
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
    const rotated = await rotateIfDue(storage, kek, now, options);
    if (rotated) {
      const { kid, alg, signFrom } = rotated.key;
      keyEvent(
        log,
        { type: 'signing_key.rotated', kid, alg, signFrom: signFrom.toISOString(), automatic: true },
        audit,
      );
    }
    // Recorded under the key lock: of many nodes, the one that records a change reports it.
    for (const { kid, state } of await recordKeyStates(storage, now, timing)) {
      if (state === 'retired' || state === 'removed') {
        keyEvent(log, { type: `signing_key.${state}`, kid, state, automatic: true }, audit);
      }
    }
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
