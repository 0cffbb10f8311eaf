// What each key reload does on a node: rotate when due, record the states that changed, load the keys.
// Key events are logged here, through one call (keyEvent) that the audit trail can take over.
import type { FastifyBaseLogger } from 'fastify';
import type { SigningAlg } from '../domain/types.js';
import type { Storage } from '../storage/contract/index.js';
import { type LoadedKeys, loadSigningKeys, recordKeyStates, rotateIfDue } from './signing-keys.js';
import type { KeyStatus, KeyTiming } from './states.js';

/** A signing-key event, as logged (and, later, recorded in the audit trail). */
export interface KeyEvent {
  readonly type: 'signing_key.rotated' | 'signing_key.retired' | 'signing_key.state_changed';
  readonly kid: string;
  readonly alg?: SigningAlg;
  readonly state?: string;
  readonly signFrom?: string;
  readonly automatic?: boolean;
}

/** The one call site of signing-key events: logged as JSON now; the audit trail hooks in here. */
export function keyEvent(log: Pick<FastifyBaseLogger, 'info'>, event: KeyEvent): void {
  log.info({ event }, event.type);
}

export interface KeyReloadOptions {
  readonly storage: Storage;
  readonly kek: Buffer;
  readonly alg: SigningAlg;
  readonly timing: KeyTiming;
  /** 0 turns automatic rotation off. */
  readonly rotationDays: number;
  readonly clock: () => Date;
  readonly log: Pick<FastifyBaseLogger, 'info'>;
}

/** The reload of server.ts: rotates when due, records changed states, then loads the keys. */
export function keyReload(
  options: KeyReloadOptions,
): (previous?: readonly KeyStatus[]) => Promise<LoadedKeys> {
  const { storage, kek, timing, log } = options;
  return async (previous) => {
    const now = options.clock();
    const rotated = await rotateIfDue(storage, kek, now, options);
    if (rotated) {
      keyEvent(log, {
        type: 'signing_key.rotated',
        kid: rotated.key.kid,
        alg: rotated.key.alg,
        signFrom: rotated.key.signFrom.toISOString(),
        automatic: true,
      });
    }
    await recordKeyStates(storage, now, timing);
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
