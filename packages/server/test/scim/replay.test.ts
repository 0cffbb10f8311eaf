// Microsoft Entra ID's and Okta's documented provisioning sequences, replayed request by request (the
// data in entra-sequence.ts and okta-sequence.ts) against one tenant each, in process, on SQLite and
// on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { pgUnavailable } from '../support/storage-db.js';
import { ENTRA_GROUP_SEQUENCE, ENTRA_USER_SEQUENCE } from './entra-sequence.js';
import { OKTA_GROUP_SEQUENCE, OKTA_USER_SEQUENCE } from './okta-sequence.js';
import { at, fill, type ReplayStep } from './replay.js';
import { scim, scimTenant } from './support.js';

const pgMissing = await pgUnavailable();
if (pgMissing) console.log(`replay.test.ts: skipping the PostgreSQL run: ${pgMissing}`);

async function replay(svc: TestService, steps: readonly ReplayStep[]): Promise<void> {
  const to = await scimTenant(svc);
  const saved: Record<string, string> = {};
  for (const step of steps) {
    const res = await scim(svc.app, to, {
      method: step.method,
      path: fill(step.path, saved),
      ...(step.body === undefined ? {} : { body: fill(step.body, saved) }),
    });
    expect(res.statusCode, `${step.name}: ${res.body}`).toBe(step.status);
    if (res.statusCode !== 204) {
      expect(res.headers['content-type'], step.name).toBe('application/scim+json; charset=utf-8');
    }
    const body = res.body ? res.json() : undefined;
    if (step.response !== undefined)
      expect(body, step.name).toMatchObject(fill(step.response, saved) as object);
    if (res.statusCode === 200 || res.statusCode === 201) {
      const meta = body?.meta as { version?: string; location?: string } | undefined;
      if (meta?.location) {
        expect(res.headers['etag'], step.name).toBe(meta.version);
        expect(meta.location, step.name).toBe(
          `${svc.url}/scim/v2/${to.tenant.id}/${meta.location.split('/').slice(-2).join('/')}`,
        );
      }
    }
    for (const [name, path] of Object.entries(step.save ?? {})) saved[name] = String(at(body, path));
    if (step.user) {
      const id = saved[step.user.id] ?? '';
      const user = await svc.storage.users.get(id);
      if (step.user.status) expect(user?.status, step.name).toBe(step.user.status);
      if (step.user.role) expect(user?.role.legacyId, step.name).toBe(step.user.role);
    }
  }
}

describe.each([
  ['sqlite', undefined],
  ['postgres', pgMissing],
] as const)('on %s', (dialect, missing) => {
  let svc: TestService;
  beforeAll(async () => {
    if (!missing) svc = await startTestService({ dialect });
  });
  afterAll(async () => {
    await svc?.close();
  });
  const run = it.skipIf(missing !== undefined);

  describe('Microsoft Entra ID', () => {
    run('provisions, updates, disables and deletes a user as Entra ID sends it', () =>
      replay(svc, ENTRA_USER_SEQUENCE),
    );
    run('provisions a group and its members as Entra ID sends it', () => replay(svc, ENTRA_GROUP_SEQUENCE));
  });

  describe('Okta', () => {
    run('provisions, updates and deactivates a user as Okta sends it', () => replay(svc, OKTA_USER_SEQUENCE));
    run('pushes a group and its members as Okta sends it', () => replay(svc, OKTA_GROUP_SEQUENCE));
  });
});
