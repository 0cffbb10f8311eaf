// The console's committed OpenAPI document and its generated types are what the routes declare today:
// regenerated into a temp folder, they must equal the committed files byte for byte.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../../..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cxauth-openapi-'));
  await promisify(execFile)(process.execPath, [join(root, 'scripts/api-generate.js'), dir]);
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const STALE = 'is not what the admin routes declare: run `npm run api:generate` and commit the result';

describe('the committed admin API contract', () => {
  it.each([
    ['openapi.json', 'packages/console/openapi.json'],
    ['schema.d.ts', 'packages/console/src/api/schema.d.ts'],
  ])('%s is regenerated unchanged', async (name, committed) => {
    const fresh = await readFile(join(dir, name), 'utf8');
    const current = await readFile(join(root, committed), 'utf8');
    expect(current === fresh, `${committed} ${STALE}`).toBe(true);
  });

  it('names no machine in its servers and lists each named schema once, by $ref', async () => {
    const doc = JSON.parse(await readFile(join(dir, 'openapi.json'), 'utf8'));
    expect(doc.servers).toEqual([{ url: '/' }]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Problem', 'Tenant', 'User']),
    );
    const post = doc.paths['/admin/v1/tenants'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateTenant',
    });
    expect(post.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Tenant',
    });
  });
});
