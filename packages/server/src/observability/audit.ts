// Audit events: what was refused, throttled, created or changed, and by whom. Each event is written as
// one JSON line in the log. A change made through the storage is recorded with `within`: its event (and
// so its webhook deliveries) is stored in the change's own transaction. Events of the request path that
// change nothing (refusals, throttling: the token endpoint's) are `record`ed and stored in batches off
// that path; `flush` (called when the server closes) stores what is pending. Never a secret: details are plain values, and any detail
// whose name suggests a secret is dropped (docs/operations.md "Audit events").
import crypto from 'node:crypto';
import type { AuditDetail, AuditEvent, AuditEventRepository } from '../storage/contract/audit-events.js';

/** Every event type, by what it concerns. */
export const AUDIT_EVENT_TYPES = [
  'client.authentication_failed',
  'grant.refused',
  'throttle.engaged',
  'refresh_token.reused',
  'area.created',
  'area.updated',
  'issuer.recorded',
  'tenant.created',
  'tenant.changed',
  'mail_template.changed',
  'mail_template.reset',
  'user.created',
  'user.changed',
  'user.imported',
  'application.created',
  'application.changed',
  'application.secret_rotated',
  'application.deleted',
  'access_key.created',
  'access_key.changed',
  'user.password_set',
  'user.totp_enrolled',
  'passkey.registered',
  'passkey.used',
  'passkey.removed',
  'passkey.renamed',
  'passkey.refused',
  'user.second_factors_reset',
  'session.ended',
  'grant.withdrawn',
  'signing_key.created',
  'signing_key.rotated',
  'signing_key.retired',
  'signing_key.removed',
  'device.approved',
  'device.denied',
  'device.user_code_refused',
  'scim_token.created',
  'scim_token.revoked',
  'webhook.created',
  'webhook.changed',
  'webhook.secret_rotated',
  'webhook.deleted',
  'webhook.disabled',
  'identity_provider.created',
  'identity_provider.changed',
  'identity_provider.deleted',
  'federation.signed_in',
  'federation.failed',
  'user.password_reset_requested',
  'user.password_reset',
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
  'user.email_verified',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * The record an event concerns, always typed (`user:<id>`, `tenant:<id>`…) so that a consumer filters
 * one user's events by one value whatever path made them (docs/operations.md, "Audit events"); `issuer`
 * is the platform's one issuer record.
 */
export type AuditSubject = `${string}:${string}` | 'issuer';

/** What a caller records; the id and (by default) the time are added. */
export interface AuditInput {
  readonly type: AuditEventType;
  readonly at?: Date;
  readonly actor?: string | null;
  readonly subject?: AuditSubject | null;
  readonly tenantId?: string | null;
  readonly address?: string | null;
  readonly details?: Readonly<Record<string, AuditDetail | undefined>>;
}

/** How `within` starts its unit: SQLite's patience for the write lock, ms (the storage's `atomically`). */
export interface UnitOptions {
  readonly patienceMs?: number;
}

/** What `within` stores of a change: one event, several, or none. */
export type Described = AuditInput | readonly AuditInput[] | undefined;

/** The audit trail of one process. */
export interface Audit {
  /** Records an event: logged now, stored with the next batch. Never throws, never waits. */
  record(event: AuditInput): void;
  /**
   * Runs `change` and stores the events `describe` makes of its result (none: undefined or []) in the
   * same transaction as the change's writes (the storage's `atomically`): all commit, or none does.
   */
  within<T>(change: () => Promise<T>, describe: (result: T) => Described, options?: UnitOptions): Promise<T>;
  /** Stores every pending event (on shutdown, or when a caller must read them back). */
  flush(): Promise<void>;
}

export interface AuditOptions {
  readonly store?: AuditEventRepository;
  /** The storage's unit of work (Storage `atomically`), so `within` stores an event with its change. */
  readonly atomically?: <T>(work: () => Promise<T>, options?: UnitOptions) => Promise<T>;
  /** Writes one JSON line (the service logger's `info`); omitted: not logged. */
  readonly log?: (line: { audit: Record<string, unknown> }, message: string) => void;
  /** Told when a batch could not be stored (the events are logged already). */
  readonly onError?: (err: unknown) => void;
  readonly clock?: () => Date;
  /** Events stored per insert, and the longest an event waits for its batch, ms. */
  readonly batchSize?: number;
  readonly flushMs?: number;
}

/** Detail names that could carry a secret: such a detail is never kept. */
const SECRET_NAME = /secret|password|token|hash|credential|authorization|cookie|code|key$/i;

let sequence = 0;

/** Time-ordered ids: epoch ms, a per-process counter, and randomness against other nodes. */
function eventId(at: Date): string {
  sequence = (sequence + 1) % 0xffffff;
  const time = at.getTime().toString(16).padStart(12, '0');
  return `${time}${sequence.toString(16).padStart(6, '0')}${crypto.randomBytes(5).toString('hex')}`;
}

/** Keeps plain values only, under names that cannot suggest a secret. */
function cleanDetails(details: AuditInput['details']): Record<string, AuditDetail> {
  const kept: Record<string, AuditDetail> = {};
  for (const [name, value] of Object.entries(details ?? {})) {
    if (value === undefined || SECRET_NAME.test(name)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) kept[name] = value;
  }
  return kept;
}

/** The JSON shape of an event, as logged and as printed by `cxauth admin audit --json`. */
export function auditJson(event: AuditEvent): Record<string, unknown> {
  return {
    id: event.id,
    at: event.at.toISOString(),
    type: event.type,
    actor: event.actor,
    subject: event.subject,
    tenantId: event.tenantId,
    address: event.address,
    details: event.details,
  };
}

/** Builds the audit trail. Without `store` events are only logged. */
export function createAudit(options: AuditOptions = {}): Audit {
  const clock = options.clock ?? (() => new Date());
  const batchSize = options.batchSize ?? 100;
  const flushMs = options.flushMs ?? 1000;
  let pending: AuditEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const store = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0 || !options.store) return writing;
    const target = options.store;
    // Batches are stored one after the other, so a flush waits for every earlier one as well.
    writing = writing.then(() => target.append(batch)).catch((err: unknown) => options.onError?.(err));
    return writing;
  };

  const build = (input: AuditInput): AuditEvent => {
    const at = input.at ?? clock();
    return {
      id: eventId(at),
      at,
      type: input.type,
      actor: input.actor ?? null,
      subject: input.subject ?? null,
      tenantId: input.tenantId ?? null,
      address: input.address ?? null,
      details: cleanDetails(input.details),
    };
  };
  const atomically = options.atomically ?? (<T>(work: () => Promise<T>) => work());

  return {
    record(input) {
      const event = build(input);
      options.log?.({ audit: auditJson(event) }, 'audit event');
      if (!options.store) return;
      pending.push(event);
      if (pending.length >= batchSize) void store();
      else if (!timer) {
        timer = setTimeout(() => void store(), flushMs);
        // A pending batch must not keep a finished process alive; close() flushes it.
        timer.unref();
      }
    },
    async within(change, describe, unit) {
      let events: AuditEvent[] = [];
      const target = options.store;
      const result = await atomically(async () => {
        const done = await change();
        const described = describe(done);
        const inputs: readonly AuditInput[] =
          described === undefined ? [] : Array.isArray(described) ? described : [described as AuditInput];
        events = inputs.map(build);
        if (events.length > 0 && target) await target.append(events);
        return done;
      }, unit);
      // Logged once they are committed: a change rolled back is no event.
      for (const event of events) options.log?.({ audit: auditJson(event) }, 'audit event');
      return result;
    },
    flush: store,
  };
}
