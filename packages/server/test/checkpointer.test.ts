// The service's SQLite WAL is checkpointed from a worker thread, not inside its commits: the
// database file takes in what was written while the service's own threshold is far from reached.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../src/storage/open.js';
import * as f from './support/storage-factories.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function writeSome(background: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-checkpoint-'));
  dirs.push(dir);
  const file = path.join(dir, 'cxauth.db');
  const storage = await openStorage(`sqlite:${file}`, undefined, { backgroundCheckpoints: background });
  await storage.migrate();
  await storage.areas.upsert(f.area());
  // Let the first checkpoint settle, then write a few hundred pages.
  await new Promise((r) => setTimeout(r, 300));
  const before = statSync(file).size;
  for (let i = 0; i < 100; i++) await storage.tenants.create(f.tenant());
  return { storage, file, before };
}

describe('background WAL checkpoints (SQLite)', () => {
  it('copy the WAL into the database file while the service writes', async () => {
    const { storage, file, before } = await writeSome(true);
    let size = statSync(file).size;
    for (let waited = 0; size <= before && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      size = statSync(file).size;
    }
    expect(size).toBeGreaterThan(before);
    await storage.close();
  });

  it('are not started for a short-lived command (SQLite checkpoints at its own threshold)', async () => {
    const { storage, file, before } = await writeSome(false);
    await new Promise((r) => setTimeout(r, 400));
    // 100 small writes stay under SQLite's default 1000-page threshold: nothing was copied yet.
    expect(statSync(file).size).toBe(before);
    await storage.close();
  });
});
