// The management listener (CXAUTH_MANAGEMENT_PORT): off by default, and when set on a port of its own
// with /metrics (the pool series over PostgreSQL), /healthz and /readyz; the first signing key's
// creation is recorded in the audit trail.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { startAuthService } from '../src/start.js';
import { pgUnavailable, tempPostgres } from './support/storage-db.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-management-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pgReason = await pgUnavailable();

describe('the management listener', () => {
  it('is off by default: no second port, and no /metrics on the public one', async () => {
    const service = await startAuthService(loadConfig({ CXAUTH_DATA_DIR: dir, CXAUTH_PORT: '0' }), {
      logger: false,
    });
    try {
      expect(service.managementUrl).toBeUndefined();
      expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
      // Closing the app stores the pending audit events; the database is still open.
      await service.app.close();
      const created = await service.storage.auditEvents.list({ type: 'signing_key.created' });
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ actor: 'service', details: { alg: 'RS256' } });
    } finally {
      await service.close();
    }
  });

  it.skipIf(pgReason)('serves /metrics, /healthz and /readyz on its own port (PostgreSQL pool)', async () => {
    const db = await tempPostgres();
    const config = loadConfig({
      CXAUTH_DATA_DIR: dir,
      CXAUTH_PORT: '0',
      CXAUTH_MANAGEMENT_PORT: '0',
      CXAUTH_DATABASE_URL: db.url,
      CXAUTH_KEK: Buffer.alloc(32, 3).toString('base64'),
    });
    const service = await startAuthService(config, { logger: false });
    try {
      const management = service.managementUrl as string;
      expect(management).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(new URL(management).port).not.toBe(new URL(service.url).port);
      await fetch(`${service.url}/auth/jwks`);
      const res = await fetch(`${management}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusTextFormat(await res.text()) as {
        name: string;
        metrics: { labels?: Record<string, string>; value: string }[];
      }[];
      const byName = new Map(families.map((f) => [f.name, f]));
      const jwks = byName
        .get('cxauth_http_requests_total')
        ?.metrics.find((m) => m.labels?.['route'] === 'jwks');
      expect(Number(jwks?.value)).toBe(1);
      expect(Number(byName.get('cxauth_db_pool_connections')?.metrics[0]?.value)).toBeGreaterThanOrEqual(1);
      expect(byName.has('cxauth_db_pool_waiting')).toBe(true);
      expect(Number(byName.get('cxauth_database_up')?.metrics[0]?.value)).toBe(1);
      expect((await fetch(`${management}/healthz`)).status).toBe(200);
      expect((await fetch(`${management}/readyz`)).status).toBe(200);
      expect((await fetch(`${management}/auth/token`)).status).toBe(404);
      expect((await fetch(`${management}/metrics`, { method: 'POST' })).status).toBe(405);
      // The management port is not the service: its requests are not counted as the service's.
      const again = await (await fetch(`${management}/metrics`)).text();
      expect(again).not.toContain('route="unmatched"');
    } finally {
      await service.close();
      await db.drop();
    }
    await expect(fetch(`${service.managementUrl}/healthz`)).rejects.toThrow();
  });

  it('refuses a management port equal to the public port', () => {
    expect(() =>
      loadConfig({ CXAUTH_DATA_DIR: dir, CXAUTH_PORT: '9000', CXAUTH_MANAGEMENT_PORT: '9000' }),
    ).toThrow(/CXAUTH_MANAGEMENT_PORT must differ from CXAUTH_PORT/);
  });
});
