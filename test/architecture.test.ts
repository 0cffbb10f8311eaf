// The package boundaries docs/design.md fixes, checked on the sources: the client and verifier install
// alone (no server code), and each third-party seam stays in one place (docs/design.md).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(pkg: string): string[] {
  const dir = path.join(root, 'packages', pkg, 'src');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

function manifest(pkg: string): { dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(root, 'packages', pkg, 'package.json'), 'utf8'));
}

describe('package boundaries', () => {
  it.each(['client', 'verify'])('@cxauth/%s depends on no other cxauth package', (pkg) => {
    expect(Object.keys(manifest(pkg).dependencies ?? {}).filter((d) => d.startsWith('@cxauth/'))).toEqual([]);
    for (const file of sources(pkg)) {
      expect(
        importsOf(file).filter((spec) => spec.startsWith('@cxauth/')),
        file,
      ).toEqual([]);
    }
  });

  it('@cxauth/client has no runtime dependency (it runs on fetch alone)', () => {
    expect(manifest('client').dependencies ?? {}).toEqual({});
  });

  it('@cxauth/regional is built only on @cxauth/verify, never on the server', () => {
    for (const file of sources('regional')) {
      expect(importsOf(file), file).not.toContain('@cxauth/server');
    }
  });

  it('in the server, only storage/ talks to the database drivers', () => {
    const src = path.join(root, 'packages', 'server', 'src');
    for (const file of sources('server')) {
      const drivers = importsOf(file).filter((spec) => ['kysely', 'better-sqlite3', 'pg'].includes(spec));
      if (drivers.length > 0) expect(path.relative(src, file)).toMatch(/^storage\//);
    }
  });

  it('in the server, protocol/ and config/ import no HTTP framework', () => {
    const src = path.join(root, 'packages', 'server', 'src');
    const plain = sources('server').filter((file) => /^(protocol|config)\//.test(path.relative(src, file)));
    expect(plain.length).toBeGreaterThan(0);
    for (const file of plain) {
      expect(
        importsOf(file).filter((spec) => /^(@fastify\/|fastify$)/.test(spec)),
        file,
      ).toEqual([]);
    }
  });

  it('in the verifier, one module imports jose', () => {
    const users = sources('verify').filter((file) => importsOf(file).includes('jose'));
    expect(users.length, users.join(', ')).toBeLessThanOrEqual(1);
  });
});
