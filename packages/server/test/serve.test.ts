// startAuthService: opens and migrates the database, creates the KEK and a signing key on first start,
// listens, and closes cleanly; a second start reuses the key.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { startAuthService } from '../src/start.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startAuthService', () => {
  it('starts on an empty data folder, serves, and reuses its key on the next start', async () => {
    const config = loadConfig({ CXAUTH_DATA_DIR: dir, CXAUTH_PORT: '0' });
    let seen = false;
    const first = await startAuthService(config, {
      logger: false,
      beforeListen: async ({ storage }) => {
        seen = (await storage.signingKeys.list()).length === 1;
      },
    });
    let kid: string;
    try {
      expect(seen).toBe(true);
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((statSync(path.join(dir, 'kek')).mode & 0o777).toString(8)).toBe('600');
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
      kid = (await (await fetch(`${first.url}/auth/jwks`)).json()).keys[0].kid;
    } finally {
      await first.close();
    }
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();
    await expect(first.storage.ping()).rejects.toThrow();

    const second = await startAuthService(config, { logger: false });
    try {
      const keys = (await (await fetch(`${second.url}/auth/jwks`)).json()).keys;
      expect(keys.map((k: { kid: string }) => k.kid)).toEqual([kid]);
    } finally {
      await second.close();
    }
  });

  it('fails to start with a wrong KEK instead of serving unsigned', async () => {
    const config = loadConfig({
      CXAUTH_DATA_DIR: dir,
      CXAUTH_PORT: '0',
      CXAUTH_KEK: Buffer.alloc(32, 7).toString('base64'),
    });
    await expect(startAuthService(config, { logger: false })).rejects.toThrow(/decrypt/);
  });
});
