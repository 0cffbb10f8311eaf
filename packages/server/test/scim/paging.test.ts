// A 10,000-user tenant pages through every user (RFC 7644 §3.4.2.4): startIndex/count, totalResults,
// each user once, in a stable order; and a filtered GET finds one among them. The users are written
// straight into the SQLite database in one transaction (creating them one request each would only
// measure the writes).
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { type ScimTenant, scim, scimTenant } from './support.js';

const USERS = 10_000;
let svc: TestService;
let to: ScimTenant;

beforeAll(async () => {
  svc = await startTestService();
  to = await scimTenant(svc);
  const db = new Database(svc.config.databaseUrl.replace(/^sqlite:/, ''));
  try {
    const insert = db.prepare(
      `insert into users (id, tenant_id, email, given_name, family_name, role_id, role_legacy_id,
         role_updated_at, secondary_roles, status, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, 'Agent', ?, '[]', 'active', ?, ?)`,
    );
    const t0 = svc.clock.now().getTime();
    db.transaction(() => {
      for (let i = 0; i < USERS; i += 1) {
        const at = t0 + Math.floor(i / 3); // several users per millisecond: ties break by id
        insert.run(
          crypto.randomUUID(),
          to.tenant.id,
          `user${i}@big.example`,
          `Given${i}`,
          'Family',
          crypto.randomUUID(),
          at,
          at,
          at,
        );
      }
    })();
  } finally {
    db.close();
  }
}, 60_000);
afterAll(async () => {
  await svc?.close();
});

it('pages through all 10,000 users of a tenant, each once', async () => {
  const seen = new Set<string>();
  let startIndex = 1;
  for (;;) {
    const res = await scim(svc.app, to, { method: 'GET', path: `/Users?startIndex=${startIndex}&count=200` });
    expect(res.statusCode).toBe(200);
    const page = res.json() as {
      totalResults: number;
      startIndex: number;
      itemsPerPage: number;
      Resources: { id: string }[];
    };
    expect(page.totalResults).toBe(USERS);
    expect(page.startIndex).toBe(startIndex);
    expect(page.itemsPerPage).toBe(page.Resources.length);
    if (page.Resources.length === 0) break;
    for (const r of page.Resources) seen.add(r.id);
    startIndex += page.Resources.length;
  }
  expect(seen.size).toBe(USERS);
  expect(startIndex).toBe(USERS + 1);
  // count is capped, and count=0 answers the total alone.
  const capped = await scim(svc.app, to, { method: 'GET', path: '/Users?count=100000' });
  expect(capped.json().itemsPerPage).toBe(200);
  const none = await scim(svc.app, to, { method: 'GET', path: '/Users?count=0' });
  expect(none.json()).toMatchObject({ totalResults: USERS, itemsPerPage: 0, Resources: [] });
});

it('finds one user among 10,000 by userName or e-mail', async () => {
  for (const filter of ['userName eq "USER4242@big.example"', 'emails.value eq "user4242@big.example"']) {
    const res = await scim(svc.app, to, {
      method: 'GET',
      path: `/Users?filter=${encodeURIComponent(filter)}`,
    });
    expect(res.json()).toMatchObject({
      totalResults: 1,
      Resources: [{ userName: 'user4242@big.example', name: { givenName: 'Given4242' } }],
    });
  }
});
