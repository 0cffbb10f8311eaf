// Signing-key events in the audit trail: an automatic rotation, the old key's retirement and its
// removal are each recorded once, though two nodes reload the keys through the whole of it.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { keyReload } from '../src/keys/rotation.js';
import { ensureActiveSigningKey } from '../src/keys/signing-keys.js';
import { keyTiming } from '../src/keys/states.js';
import { createAudit } from '../src/observability/audit.js';
import { openStorage } from '../src/storage/open.js';
import { type TestDatabase, tempSqlite } from './support/storage-db.js';

const timing = keyTiming({ accessTokenTtl: 3600, clockTolerance: 30, jwksMaxAge: 300, keyReloadMs: 60_000 });
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe('signing-key events', () => {
  it('records a rotation, a retirement and a removal once between two nodes, logs the rest', async () => {
    const db = tempSqlite();
    dbs.push(db);
    const storage = await openStorage(db.url);
    try {
      await storage.migrate();
      const kek = crypto.randomBytes(32);
      const t0 = new Date('2026-01-01T00:00:00Z');
      await ensureActiveSigningKey(storage, kek, t0);
      const [first] = await storage.signingKeys.list();
      let now = t0;
      const logged: unknown[] = [];
      const audit = createAudit({ store: storage.auditEvents, clock: () => now });
      const node = () =>
        keyReload({
          storage,
          kek,
          alg: 'EdDSA',
          timing,
          rotationDays: 90,
          clock: () => now,
          log: { info: (line: unknown) => logged.push(line) },
          audit,
        });
      const nodes = [node(), node()];
      let views = await Promise.all(nodes.map((reload) => reload()));
      const at = (ms: number) => async () => {
        now = new Date(ms);
        views = await Promise.all(nodes.map((reload, i) => reload(views[i]?.statuses)));
      };
      const day = 86_400_000;
      await at(t0.getTime() + 91 * day)();
      await at(t0.getTime() + 91 * day + timing.publishLeadMs)();
      await at(t0.getTime() + 91 * day + timing.publishLeadMs + timing.tokenLifetimeMs)();
      await audit.flush();
      const events = (await storage.auditEvents.list({ type: 'signing_key.*' })).reverse();
      const next = views[0]?.active.kid;
      expect(events.map((e) => [e.type, e.subject, e.actor])).toEqual([
        ['signing_key.rotated', `signing_key:${next}`, 'service'],
        ['signing_key.retired', `signing_key:${first?.kid}`, 'service'],
        ['signing_key.removed', `signing_key:${first?.kid}`, 'service'],
      ]);
      expect(events[0]?.details).toMatchObject({ alg: 'EdDSA', automatic: true });
      // Each node's own view of the states is logged, not audited.
      expect(logged.length).toBeGreaterThanOrEqual(2);
      expect(logged[0]).toMatchObject({ event: { type: 'signing_key.state_changed' } });
    } finally {
      await storage.close();
    }
  });
});
